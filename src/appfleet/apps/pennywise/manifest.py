from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="pennywise",
    display_name="PennyWise",
    summary="Personal finance: transactions, balance, analytics, AI chat.",
    identity_group=None,
)
