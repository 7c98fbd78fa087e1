"""Billing under every app prefix: plans and subscriptions, checkout for plans and for apps'
one-off orders, the customer portal, plan changes with proration, `require_plan` for apps, and
the payment provider's webhooks — stored in an inbox first, then applied once per event by a
job, never moving a subscription backwards in time."""
