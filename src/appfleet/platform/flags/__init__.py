"""Feature flags, A/B experiments and remote config for mobile releases: stored in the
database, evaluated in process from a snapshot per app that every change refreshes."""
