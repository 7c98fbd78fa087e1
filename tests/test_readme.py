"""The README is a promise: its commands and its configuration table must stay true."""

from __future__ import annotations

import re
from pathlib import Path

from appfleet.core.settings import setting_rows

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def command_after(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", README)
    assert match, f"README has no {marker}"
    return match.group(1)


def test_readme_gives_the_two_setup_commands() -> None:
    assert command_after("serve-command").endswith("appfleet serve")
    assert 'pip install -e ".[test]"' in command_after("test-command")
    assert "pytest" in command_after("test-command")


def test_readme_documents_every_setting_with_its_default() -> None:
    for variable, default, _ in setting_rows():
        assert f"| `{variable}` | `{default}` |" in README, f"README lacks {variable}"
