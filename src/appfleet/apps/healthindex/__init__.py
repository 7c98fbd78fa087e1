"""Health Index, the shop of the shared-backend apps (seed 002)."""
