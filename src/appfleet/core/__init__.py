"""Core: settings, database, errors, HTTP plumbing, clock, pagination, idempotency, app registry.

Everything here is app-agnostic and imports nothing from runtime, providers, platform or apps.
"""
