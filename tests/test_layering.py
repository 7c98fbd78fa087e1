"""Imports point one way: core <- runtime <- providers <- platform <- apps <- sdk (a tool over
the apps' documents); apps never import each other. The composition root (main, cli, launch,
models, migrations, apps/__init__) sees everything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "appfleet"
RANK = {"core": 0, "runtime": 1, "providers": 2, "platform": 3, "apps": 4, "sdk": 5}
COMPOSITION = {"main.py", "cli.py", "launch.py", "models.py", "__init__.py", "__main__.py"}


def layer_of(module: str) -> tuple[str, str | None] | None:
    parts = module.split(".")
    if parts[0] != "appfleet" or len(parts) < 2 or parts[1] not in RANK:
        return None
    app = parts[2] if parts[1] == "apps" and len(parts) > 2 else None
    return parts[1], app


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def layered_files() -> list[Path]:
    files = []
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE)
        if len(relative.parts) == 1 and relative.name in COMPOSITION:
            continue
        if relative.parts[0] in ("migrations",) or relative == Path("apps/__init__.py"):
            continue
        files.append(path)
    return files


@pytest.mark.parametrize("path", layered_files(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_imports_point_one_way(path: Path) -> None:
    relative = path.relative_to(SOURCE)
    own = layer_of("appfleet." + ".".join(relative.with_suffix("").parts))
    assert own is not None, f"{relative} is outside every layer"
    own_layer, own_app = own
    for module in imports(path):
        target = layer_of(module)
        if target is None:
            assert not module.startswith("appfleet.") or module.split(".")[1] in RANK, (
                f"{relative} imports the composition root {module}"
            )
            continue
        layer, app = target
        assert RANK[layer] <= RANK[own_layer], f"{relative} ({own_layer}) imports {module}"
        if own_app and app:
            assert app == own_app, f"app {own_app} imports app {app} ({module})"


def test_the_check_sees_the_whole_tree() -> None:
    names = {str(p.relative_to(SOURCE)) for p in layered_files()}
    assert "core/http.py" in names
    assert "apps/corpfinity/manifest.py" in names
