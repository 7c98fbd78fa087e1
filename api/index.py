"""Vercel's Python entry point (seed 000): the ASGI app, built from the environment.

Vercel runs no long-lived worker: background jobs run when its cron calls
`/internal/cron/tick` every minute (vercel.json) with `Authorization: Bearer $CRON_SECRET`;
set APPFLEET_JOBS__CRON_SECRET to the same value. Vendor SDKs load only when configured, so a
cold start imports what the deployment uses.
"""

from appfleet.main import app_from_environment

app = app_from_environment()
