"""Authentication: passwords, app-scoped JWTs, per-device sessions with rotating refresh tokens."""
