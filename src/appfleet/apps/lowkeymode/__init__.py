"""Lowkey Mode, one of the shared-backend apps (seed 002)."""
