"""Notifications under every app prefix: device registration, the user's notification inbox,
push preferences (quiet hours, a daily limit, muted kinds), and `notify` — the one way apps and
the platform send a push. A notification is stored first; its pushes, one per device, go
through the outbox, so they are sent after the commit and survive a restart."""
