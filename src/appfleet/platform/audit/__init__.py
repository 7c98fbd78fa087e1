"""The audit log: who did what security-relevant thing, when, from where, in which app."""
