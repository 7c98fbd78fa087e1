from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="lowkeymode",
    display_name="Lowkey Mode",
    summary="Quiet scores, meditation streaks, an anonymous leaderboard.",
    identity_group="shared",
)
