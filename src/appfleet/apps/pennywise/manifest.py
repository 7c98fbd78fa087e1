"""PennyWise, the personal-finance app (seed 003)."""

from appfleet.apps.pennywise.router import router
from appfleet.apps.pennywise.service import privacy
from appfleet.apps.pennywise.service._assistant import PURPOSE, compose
from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="pennywise",
    display_name="PennyWise",
    summary="Personal finance: transactions, balance, analytics, AI chat.",
    router=router,
    features=("transactions", "categories", "analytics", "import", "chat"),
    identity_group=None,
    export_data=privacy.export_data,
    erase_data=privacy.erase_data,
    ai_composers={PURPOSE: compose},
)
