"""Locale files: what `appfleet locales import` reads and `export` writes, and the checks on a
model's translation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appfleet.platform.locales.service import (
    COMMON,
    UI,
    LocaleFileError,
    checked_translation,
    read_dir,
    write_dir,
)


def _write(folder: Path, name: str, value: object) -> None:
    (folder / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def test_language_files_and_common_phrases_round_trip(tmp_path: Path) -> None:
    _write(tmp_path, "en.json", {"wall": {"title": "Community", "like": "Like"}, "app": "Fit"})
    _write(tmp_path, "es.json", {"wall.title": "Comunidad"})
    _write(tmp_path, "common.json", {"en": {"go": "Go!"}, "es": {"go": "¡Vamos!"}})
    (tmp_path / "notes.txt").write_text("not a bundle")
    bundles = read_dir(tmp_path)
    assert bundles == {
        ("en", UI): {"wall.title": "Community", "wall.like": "Like", "app": "Fit"},
        ("es", UI): {"wall.title": "Comunidad"},
        ("en", COMMON): {"go": "Go!"},
        ("es", COMMON): {"go": "¡Vamos!"},
    }
    out = tmp_path / "out"
    assert sorted(p.name for p in write_dir(out, bundles)) == ["common.json", "en.json", "es.json"]
    assert read_dir(out) == bundles


@pytest.mark.parametrize(
    ("name", "content", "complaint"),
    [
        ("en.json", "{not json", "en.json: not valid JSON"),
        ("en.json", json.dumps(["a"]), "en.json: expected an object"),
        ("en.json", json.dumps({"n": 3}), "'n' must be text"),
        ("en.json", json.dumps({"long": "x" * 2001}), "'long' must be text of at most 2000"),
        ("common.json", json.dumps({"english": {"a": "b"}}), "'english' is not a language code"),
        ("common.json", json.dumps(["a"]), "expected an object of language"),
    ],
)
def test_a_bad_file_is_refused_with_its_name_and_reason(
    tmp_path: Path, name: str, content: str, complaint: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(LocaleFileError, match=complaint):
        read_dir(tmp_path)


def test_a_folder_without_bundles_is_refused(tmp_path: Path) -> None:
    (tmp_path / "README.json").write_text("{}")
    with pytest.raises(LocaleFileError, match="no locale files"):
        read_dir(tmp_path)


@pytest.mark.parametrize(
    ("source", "answer", "kept"),
    [
        ("{done} of {target} this week", "{done} de {target} esta semana", True),
        ("You're all set, {name}!", '"¡Todo listo, {name}!"', True),
        ("You're all set, {name}!", "¡Todo listo, {nombre}!", False),  # renamed placeholder
        ("Like", "Me gusta {count}", False),  # added one
        ("{count} online now", "conectados ahora", False),  # lost one
        ("Like", "   ", False),
        ("Like", "Me gusta " * 20, False),  # an essay, not a translation
    ],
)
def test_a_translation_keeps_its_placeholders_or_is_discarded(
    source: str, answer: str, kept: bool
) -> None:
    checked = checked_translation(source, answer)
    assert (checked is not None) is kept
    if kept:
        assert checked == answer.strip('"')
