"""App information: `GET /api/v1/{app}/` and the app's own OpenAPI document."""
