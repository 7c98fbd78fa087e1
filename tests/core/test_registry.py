from __future__ import annotations

import pytest

from appfleet.apps import MANIFESTS
from appfleet.core.registry import AppManifest, AppRegistry
from appfleet.core.secrets import ConfigurationError
from appfleet.core.settings import Settings
from tests.fixtures import probe


def test_all_five_apps_are_served_by_default() -> None:
    registry = AppRegistry(MANIFESTS, Settings())
    assert registry.names == ["corpfinity", "fitnudge", "lowkeymode", "healthindex", "pennywise"]


def test_apps_setting_chooses_what_is_mounted() -> None:
    registry = AppRegistry(MANIFESTS, Settings(apps=["pennywise", "corpfinity"]))
    assert registry.names == ["pennywise", "corpfinity"]
    assert "fitnudge" not in registry


def test_unknown_app_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="unknown app\\(s\\) shopz; known: corpfinity"):
        AppRegistry(MANIFESTS, Settings(apps=["shopz"]))
    with pytest.raises(ConfigurationError, match="typo"):
        AppRegistry(MANIFESTS, Settings(app={"typo": {}}))


def test_identity_groups_default_from_manifests_and_can_be_configured() -> None:
    registry = AppRegistry(MANIFESTS, Settings(app={"pennywise": {"identity_group": "money"}}))
    groups = {context.name: context.identity_group for context in registry}
    assert groups["lowkeymode"] == groups["healthindex"] == "shared"
    assert groups["corpfinity"] == "corpfinity"
    assert groups["pennywise"] == "money"


def test_configuration_overrides_display_name_and_disables_features() -> None:
    settings = Settings(
        app={"probe": {"display_name": "Probe Pro", "disabled_features": ["secret_feature"]}}
    )
    context = AppRegistry([*MANIFESTS, probe.manifest], settings).get("probe")
    assert context.display_name == "Probe Pro"
    assert context.features == ("items", "uploads")


def test_for_path_finds_the_app_by_prefix() -> None:
    registry = AppRegistry(MANIFESTS, Settings())
    found = registry.for_path("/api/v1/pennywise/transactions")
    assert found is not None
    assert found.name == "pennywise"
    assert registry.for_path("/api/v1/pennywiser/x") is None
    assert registry.for_path("/health") is None


def test_presence_only_on_declared_topics() -> None:
    with pytest.raises(ValueError, match=r"presence on undeclared topics \['lobby'\]"):
        AppManifest(name="x", display_name="X", summary="x", topics=("wall",), presence=("lobby",))
