"""PennyWise, the personal-finance app (seed 003)."""

from appfleet.apps.pennywise import jobs
from appfleet.apps.pennywise.router import router
from appfleet.apps.pennywise.service import _assistant, _insights, privacy
from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="pennywise",
    display_name="PennyWise",
    summary="Personal finance: transactions, balance, analytics, AI chat.",
    router=router,
    features=("transactions", "categories", "analytics", "import", "chat", "insights"),
    identity_group=None,
    export_data=privacy.export_data,
    erase_data=privacy.erase_data,
    ai_composers={
        _assistant.PURPOSE: _assistant.compose,
        _insights.PURPOSE: _insights.compose,
    },
    tasks=jobs.TASKS,
    schedules=jobs.SCHEDULES,
)
