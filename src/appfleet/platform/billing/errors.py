from __future__ import annotations

from appfleet.core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable


class UnknownPlan(NotFound):
    default_message = "This app has no such plan"


class NoSubscription(Conflict):
    default_message = "You have no subscription to change; start one with a checkout"


class AlreadySubscribed(Conflict):
    default_message = "You already have this plan"


class PlanRequired(Forbidden):
    default_message = "Your plan does not include this"


class BillingUnavailable(ServiceUnavailable):
    default_message = "Payments are unavailable right now; try again shortly"


class BillingDisabled(NotFound):
    default_message = "This deployment takes no payments"
