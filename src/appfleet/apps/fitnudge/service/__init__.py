"""FitNudge's services, one module per concern."""

from appfleet.apps.fitnudge.service import _checkins as checkins
from appfleet.apps.fitnudge.service import _goals as goals
from appfleet.apps.fitnudge.service import _moderation as moderation
from appfleet.apps.fitnudge.service import _motivation as motivation
from appfleet.apps.fitnudge.service import _onboarding as onboarding
from appfleet.apps.fitnudge.service import _privacy as privacy
from appfleet.apps.fitnudge.service import _schedules as schedules
from appfleet.apps.fitnudge.service import _search as search
from appfleet.apps.fitnudge.service import _summary as summary
from appfleet.apps.fitnudge.service import _wall as wall
from appfleet.apps.fitnudge.service._common import APP, Coach

__all__ = [
    "APP",
    "Coach",
    "checkins",
    "goals",
    "moderation",
    "motivation",
    "onboarding",
    "privacy",
    "schedules",
    "search",
    "summary",
    "wall",
]
