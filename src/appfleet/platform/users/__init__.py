"""Users: accounts (one per identity group), their membership of each app, and profiles."""
