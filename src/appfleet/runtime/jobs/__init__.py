"""Background jobs: a durable queue in the database (leases, `SKIP LOCKED`, retries with
jittered backoff, dead letters, priorities, idempotency keys), the workers that run it
(`worker.py`) and the one scheduler that feeds it periodic work (`scheduler.py`).

Nothing is imported here: the models are loaded by migrations before a multi-process server
has told prometheus_client where its shared samples live."""
