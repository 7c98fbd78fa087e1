from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="fitnudge",
    display_name="FitNudge",
    summary="Fitness motivation: goals, check-ins, AI motivation, social wall.",
    identity_group=None,
)
