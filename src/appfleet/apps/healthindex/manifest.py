from appfleet.core.registry import AppManifest

manifest = AppManifest(
    name="healthindex",
    display_name="Health Index",
    summary="A health product catalog with cart, checkout and orders.",
    identity_group="shared",
)
