from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="corpfinity",
    display_name="CorpFinity",
    summary="Workplace wellness: challenges, streaks, achievements, reminders.",
    identity_group=None,
)
