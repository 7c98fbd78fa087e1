"""The onboarding flow a new member sees (seed 001's `onboarding-flow` experiment).

Both arms are defined here; until the platform's experiments exist (the admin issue), every
member gets the original flow and no variant is claimed.
"""

from __future__ import annotations

from appfleet.apps.fitnudge.schemas import OnboardingFlow

FLOWS = {
    "original": ("welcome", "goal", "notification"),
    "simplified": ("goal", "done"),
}
DEFAULT = "original"


def flow() -> OnboardingFlow:
    return OnboardingFlow(flow=DEFAULT, steps=list(FLOWS[DEFAULT]))
