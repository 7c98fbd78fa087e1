"""Push delivery: FCM HTTP v1 and APNs (token auth over HTTP/2), each spoken to directly with
httpx2, and the registered devices they deliver to. Without credentials an app's pushes stay
in the local outbox."""
