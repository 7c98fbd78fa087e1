"""Platform: what every app gets under its own prefix (auth, users, notifications, billing…)."""
