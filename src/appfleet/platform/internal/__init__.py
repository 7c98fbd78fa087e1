"""Deployment-internal endpoints called by the host, not by apps: the serverless cron tick."""
