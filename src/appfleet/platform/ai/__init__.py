"""AI text and voice for the apps: one `generate` / `stream` that applies the cost controls
(prompt cache, token budgets, a circuit breaker, timeouts) and falls back in a fixed order —
the model, then messages it wrote before for the same subject, then the local generator — and
says which of them answered. Speech goes to storage as the user's file."""
