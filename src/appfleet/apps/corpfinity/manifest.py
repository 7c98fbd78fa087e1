"""CorpFinity, the workplace wellness app (seed 000)."""

from appfleet.apps.corpfinity import jobs
from appfleet.apps.corpfinity.ai import COMPOSERS
from appfleet.apps.corpfinity.models import Completion
from appfleet.apps.corpfinity.options import CorpfinityOptions
from appfleet.apps.corpfinity.router import router
from appfleet.apps.corpfinity.service import achievement_defs, catalog_admin, privacy
from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="corpfinity",
    display_name="CorpFinity",
    summary="Workplace wellness: challenges, streaks, achievements, reminders.",
    router=router,
    features=("challenges", "streaks", "achievements", "reminders", "tracking"),
    identity_group=None,
    export_data=privacy.export_data,
    erase_data=privacy.erase_data,
    tasks=jobs.TASKS,
    schedules=jobs.SCHEDULES,
    settings_model=CorpfinityOptions,
    ai_composers=COMPOSERS,
    catalogs=(catalog_admin.CATALOG, achievement_defs.CATALOG),
    daily_series={"challenge completions": Completion.completed_at},
)
