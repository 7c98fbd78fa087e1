"""Locale bundles (seed 001's n8n localization package, done in-process).

Each app keeps, per language, its UI strings (`ui`) and its shared motivational phrases
(`common`) as flat key → text. On disk they are `DIR/{lang}.json` and one `DIR/common.json`
holding every language's phrases; `read_dir` and `write_dir` are the import and export.
English is the base: a client asking for another language gets that language's text over the
English one, with the keys still waiting for a translation listed, so a screen never shows a
bare key. Missing keys are filled by `translate` through the AI provider (a background job);
placeholders such as `{name}` must come back unchanged or the answer is discarded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.platform.ai.service import AiService
from appfleet.platform.locales.codes import BASE, LANG_PATTERN
from appfleet.platform.locales.models import LocaleBundle
from appfleet.providers.ai.base import ChatMessage, TextRequest
from appfleet.runtime.cache import Cache, forget_after_commit

UI, COMMON = "ui", "common"
NAMESPACES = (UI, COMMON)
COMMON_FILE = "common.json"
CACHE_PREFIX = "cache:locales:"  # + app + ":" + lang
CACHE_TTL_S = 60  # an import from the CLI (another process) shows within a minute
_LANG = re.compile(LANG_PATTERN)
_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")
MAX_TEXT = 2000

Messages = dict[str, str]
Bundles = dict[tuple[str, str], Messages]  # (lang, namespace) → messages

NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian"}


class LocaleFileError(ValueError):
    """A locale file that cannot be imported (the message says which and why)."""


def _flat(value: Any, where: str, prefix: str = "") -> Messages:
    """Nested objects become dotted keys; every leaf must be text."""
    if not isinstance(value, dict):
        raise LocaleFileError(f"{where}: expected an object of key → text")
    out: Messages = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(_flat(item, where, f"{name}."))
        elif isinstance(item, str) and len(item) <= MAX_TEXT:
            out[name] = item
        else:
            raise LocaleFileError(f"{where}: {name!r} must be text of at most {MAX_TEXT} chars")
    return out


def _load(file: Traversable) -> Any:
    try:
        return orjson.loads(file.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise LocaleFileError(f"{file.name}: not valid JSON ({exc})") from exc


def read_dir(directory: Traversable) -> Bundles:
    """The bundles in a directory: `{lang}.json` files and `common.json`."""
    bundles: Bundles = {}
    for file in sorted(directory.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".json"):
            continue
        stem = file.name.removesuffix(".json")
        if file.name == COMMON_FILE:
            phrases = _load(file)
            if not isinstance(phrases, dict):
                raise LocaleFileError(f"{COMMON_FILE}: expected an object of language → phrases")
            for lang, messages in phrases.items():
                if not _LANG.match(lang):
                    raise LocaleFileError(f"{COMMON_FILE}: {lang!r} is not a language code")
                bundles[(lang, COMMON)] = _flat(messages, f"{COMMON_FILE} [{lang}]")
        elif _LANG.match(stem):
            bundles[(stem, UI)] = _flat(_load(file), file.name)
    if not bundles:
        raise LocaleFileError(f"no locale files ({{lang}}.json, {COMMON_FILE}) found")
    return bundles


def write_dir(directory: Path, bundles: Bundles) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    for (lang, namespace), messages in sorted(bundles.items()):
        if namespace == UI:
            path = directory / f"{lang}.json"
            path.write_bytes(orjson.dumps(messages, option=options) + b"\n")
            written.append(path)
    common = {lang: m for (lang, namespace), m in bundles.items() if namespace == COMMON}
    if common:
        path = directory / COMMON_FILE
        path.write_bytes(orjson.dumps(common, option=options) + b"\n")
        written.append(path)
    return written


async def load(session: AsyncSession, app: str) -> dict[tuple[str, str], LocaleBundle]:
    rows = await session.scalars(select(LocaleBundle).where(LocaleBundle.app == app))
    return {(row.lang, row.namespace): row for row in rows}


@dataclass(frozen=True, slots=True)
class Saved:
    lang: str
    namespace: str
    version: int
    keys: int


async def save(
    session: AsyncSession,
    clock: Clock,
    cache: Cache | None,
    app: str,
    bundles: Bundles,
    *,
    replace: bool = False,
    only_missing: bool = False,
) -> list[Saved]:
    """Store `bundles`: merged over what is there (`replace` makes each bundle exactly the
    given messages; `only_missing` adds keys without touching any that exist). Only bundles
    that change get a new version."""
    existing = await load(session, app)
    saved: list[Saved] = []
    for (lang, namespace), messages in sorted(bundles.items()):
        row = existing.get((lang, namespace))
        old = dict(row.messages) if row is not None else {}
        if replace:
            new = dict(messages)
        elif only_missing:
            new = {**messages, **old}
        else:
            new = {**old, **messages}
        if row is not None and new == old:
            continue
        if row is None:
            row = LocaleBundle(app=app, lang=lang, namespace=namespace, version=0)
            session.add(row)
        row.messages, row.version, row.updated_at = new, row.version + 1, clock.now()
        saved.append(Saved(lang, namespace, row.version, len(new)))
    if saved and cache is not None:
        # The base language shows through every other: drop them all.
        forget_after_commit(session, cache, prefix=f"{CACHE_PREFIX}{app}:")
    return saved


def resolve(langs: Iterable[str], wanted: str) -> str | None:
    """The language to serve for `wanted` ("es-MX" falls back to "es")."""
    available = set(langs)
    if wanted in available:
        return wanted
    primary = wanted.split("-")[0]
    return primary if primary in available else None


@dataclass(slots=True)
class Page:
    """What `GET /locales/{lang}` answers."""

    app: str
    lang: str
    version: int
    messages: Messages
    common: Messages
    untranslated: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "lang": self.lang,
            "fallback": BASE,
            "version": self.version,
            "messages": self.messages,
            "common": self.common,
            "untranslated": self.untranslated,
        }


def page(rows: Mapping[tuple[str, str], LocaleBundle], app: str, lang: str) -> Page:
    """`lang`'s strings over the base language's. The version is the sum of the versions
    shown, so it grows whenever any of them changes."""
    version = 0
    merged: dict[str, Messages] = {}
    untranslated: list[str] = []
    for namespace in NAMESPACES:
        base = rows.get((BASE, namespace))
        own = rows.get((lang, namespace)) if lang != BASE else None
        base_messages = base.messages if base is not None else {}
        own_messages = own.messages if own is not None else {}
        version += (base.version if base else 0) + (own.version if own else 0)
        merged[namespace] = {**base_messages, **own_messages}
        prefix = "" if namespace == UI else f"{COMMON}."
        untranslated += [
            f"{prefix}{k}" for k in base_messages if lang != BASE and k not in own_messages
        ]
    return Page(app, lang, version, merged[UI], merged[COMMON], sorted(untranslated))


def languages(rows: Mapping[tuple[str, str], LocaleBundle]) -> list[str]:
    return sorted({lang for lang, _ in rows})


def missing(rows: Mapping[tuple[str, str], LocaleBundle], lang: str) -> Bundles:
    """The base language's messages that `lang` lacks, per namespace."""
    gaps: Bundles = {}
    for namespace in NAMESPACES:
        base = rows.get((BASE, namespace))
        own = rows.get((lang, namespace))
        have = own.messages if own is not None else {}
        todo = {k: v for k, v in (base.messages if base else {}).items() if k not in have}
        if todo:
            gaps[(lang, namespace)] = todo
    return gaps


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def checked_translation(source: str, answer: str) -> str | None:
    """The model's answer as a translation of `source`, or None when it is not usable:
    empty, far too long, or with placeholders lost, added or renamed."""
    text = answer.strip().strip('"“”«»').strip()
    if not text or len(text) > 4 * len(source) + 40:
        return None
    return text if placeholders(text) == placeholders(source) else None


def common_phrases(rows: Mapping[tuple[str, str], LocaleBundle], lang: str) -> list[str]:
    bundle = rows.get((lang, COMMON)) or rows.get((BASE, COMMON))
    return list(bundle.messages.values()) if bundle is not None else []


@dataclass(slots=True)
class Translated:
    """One run of `translate`: what it filled, and what is still missing and why."""

    lang: str
    bundles: Bundles = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # key → reason

    @property
    def filled(self) -> int:
        return sum(len(m) for m in self.bundles.values())


def translation_request(text: str, lang: str) -> TextRequest:
    target = NAMES.get(lang.split("-")[0], lang)
    system = (
        f"You translate the text of a fitness app from English to {target} ({lang}). "
        "Keep every placeholder in braces, such as {name}, exactly as written. "
        "Answer with the translation only: no quotes, no notes."
    )
    return TextRequest(
        purpose="translate",
        messages=(ChatMessage("system", system), ChatMessage("user", text)),
        facts={"text": text, "to": lang},
        language=lang,
        max_tokens=min(800, 40 + 2 * len(text)),
        temperature=0.2,
    )


async def translate(ai: AiService, app: str, gaps: Bundles, *, limit: int) -> Translated:
    """Ask the AI provider for each missing text (up to `limit`). Only the provider's own
    answers count: the local generator writes encouragement, not translations."""
    langs = {lang for lang, _ in gaps}
    result = Translated(lang=next(iter(langs)) if len(langs) == 1 else ",".join(sorted(langs)))
    budget = limit
    for (lang, namespace), todo in sorted(gaps.items()):
        prefix = "" if namespace == UI else f"{COMMON}."
        for key, source in todo.items():
            if budget <= 0:
                result.skipped[f"{prefix}{key}"] = "limit"
                continue
            budget -= 1
            generation = await ai.generate(app, translation_request(source, lang))
            if generation.source not in ("provider", "cache"):
                result.skipped[f"{prefix}{key}"] = "no_provider"
                continue
            text = checked_translation(source, generation.text)
            if text is None:
                result.skipped[f"{prefix}{key}"] = "rejected"
                continue
            result.bundles.setdefault((lang, namespace), {})[key] = text
    return result
