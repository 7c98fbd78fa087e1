"""Lowkey Mode, one of the shared-backend apps (seed 002)."""

from appfleet.apps.lowkeymode.router import router
from appfleet.apps.lowkeymode.service import privacy
from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="lowkeymode",
    display_name="Lowkey Mode",
    summary="Quiet scores, meditation streaks, an anonymous leaderboard.",
    router=router,
    features=("quiet_scores", "leaderboard", "meditation_streak", "referrals"),
    identity_group="shared",
    export_data=privacy.export_data,
    erase_data=privacy.erase_data,
)
