"""Runtime services shared by every process: the Redis connection now; cache, rate limiting,
pub-sub and jobs build on it (each with an in-process twin for embedded mode)."""
