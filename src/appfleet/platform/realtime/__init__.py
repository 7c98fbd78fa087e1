"""Live events for signed-in users: server-sent events and a WebSocket on the user's channel in
each app, resumable from the last event seen."""
