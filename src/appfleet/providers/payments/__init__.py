"""Payments: the Stripe provider, through the official SDK on our own HTTP client. The local
sandbox lives with billing (platform/billing/sandbox.py): it writes the events Stripe would
send straight into billing's inbox."""
