"""The onboarding flow a new member sees: seed 001's `onboarding-flow` experiment.

Both arms are defined here. While an admin runs the experiment (arms named after these
flows), each member gets their stable arm and is counted as exposed; creating their first goal
is the conversion. Otherwise — not running, outside its audience, an unknown arm — everyone
gets the original flow (or the declared winner).
"""

from __future__ import annotations

from appfleet.apps.fitnudge.schemas import OnboardingFlow
from appfleet.apps.fitnudge.service._common import Coach
from appfleet.apps.fitnudge.service._goals import ONBOARDING
from appfleet.core.registry import AppContext
from appfleet.platform.flags import service as flags_service
from appfleet.platform.users.models import User

FLOWS = {
    "original": ("welcome", "goal", "notification"),
    "simplified": ("goal", "done"),
}
DEFAULT = "original"


async def flow(coach: Coach, app: AppContext, user: User, plan: str) -> OnboardingFlow:
    subject = flags_service.subject(app, user, plan)
    arm = await flags_service.variant(coach.flags, coach.clock, ONBOARDING, subject)
    name = arm if arm in FLOWS else DEFAULT
    return OnboardingFlow(
        flow=name,
        steps=list(FLOWS[name]),
        experiment=ONBOARDING if arm is not None else None,
        variant=arm,
    )
