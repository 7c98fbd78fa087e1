"""FitNudge, the fitness-motivation app (seed 001)."""

from appfleet.apps.fitnudge import jobs
from appfleet.apps.fitnudge.models import Checkin
from appfleet.apps.fitnudge.router import router
from appfleet.apps.fitnudge.service import moderation, privacy
from appfleet.apps.fitnudge.service._common import WALL_TOPIC
from appfleet.core.registry import AppManifest, ModerationHooks
from appfleet.core.settings import PlanSettings

# Seed 001: one free goal; Pro and Coach+ unlimited, with voice messages.
PLANS = {
    "free": PlanSettings(display_name="Free", level=0, limits={"active_goals": 1}),
    "pro": PlanSettings(
        display_name="Pro", amount_cents=799, level=1, trial_days=7, limits={"active_goals": -1}
    ),
    "coach_plus": PlanSettings(
        display_name="Coach+", amount_cents=1499, level=2, limits={"active_goals": -1}
    ),
}

manifest = AppManifest(
    name="fitnudge",
    display_name="FitNudge",
    summary="Fitness motivation: goals, check-ins, AI motivation, social wall.",
    router=router,
    features=("goals", "checkins", "motivation", "voice"),
    identity_group=None,
    export_data=privacy.export_data,
    erase_data=privacy.erase_data,
    tasks=jobs.TASKS,
    schedules=jobs.SCHEDULES,
    default_plans=PLANS,
    topics=(WALL_TOPIC,),
    presence=(WALL_TOPIC,),
    daily_series={"check-ins": Checkin.created_at},
    moderation=ModerationHooks(flagged=moderation.flagged, decide=moderation.decide),
)
