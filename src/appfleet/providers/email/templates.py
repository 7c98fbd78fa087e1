"""Email bodies from Jinja2 templates: `<name>.txt` (first line `Subject: …`), translations as
`<name>.<lang>.txt` (es, fr, de), and an `<name>.html` part when a template has its own; otherwise
the HTML part is the text laid out under the app's name (`_layout.html`). Templates ship inside
the package."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None

    def as_payload(self) -> dict[str, Any]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


LANGUAGES = ("en", "es", "fr", "de")
URL = re.compile(r"https?://[^\s<>\"']+")
DEFAULT_BRAND = {"brand_color": "#2563eb", "logo_url": None}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "chf": "CHF "}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
}
ZERO_DECIMAL = {"jpy", "krw", "vnd", "clp"}  # amounts in these are whole units already


@pass_context
def _money(context: Context, cents: int, currency: str) -> str:
    """An amount as the reader writes it: $9.99 in English, 9,99 € in German."""
    code = currency.lower()
    amount = float(cents) if code in ZERO_DECIMAL else cents / 100
    places = 0 if code in ZERO_DECIMAL else 2
    number = f"{amount:,.{places}f}"
    language = context.get("language", "en")
    if language != "en":  # 1.234,56 in es/fr/de (fr groups with a narrow space)
        group = "\u202f" if language == "fr" else "."
        number = number.replace(",", "\x00").replace(".", ",").replace("\x00", group)
    symbol = SYMBOLS.get(code)
    if symbol is None:
        return f"{number} {code.upper()}"
    return f"{symbol}{number}" if language == "en" else f"{number} {symbol.strip()}"


@pass_context
def _day(context: Context, value: date | datetime | str) -> str:
    """A date as the reader writes it: March 8, 2026 / 8 de marzo de 2026 / 8. März 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    language = context.get("language", "en")
    month = MONTHS.get(language, MONTHS["en"])[value.month - 1]
    if language == "es":
        return f"{value.day} de {month} de {value.year}"
    if language == "de":
        return f"{value.day}. {month} {value.year}"
    if language == "fr":
        return f"{value.day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"


def _linkify(text: str) -> Markup:
    """Escape, link URLs, keep line breaks: a paragraph of the text part as HTML."""
    escaped = str(escape(text))
    linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return Markup(linked.replace("\n", "<br>\n"))  # noqa: S704 - built from escaped text


# Amounts and dates as the reader writes them; the pages of this server use them too.
FORMAT_FILTERS = {"money": _money, "day": _day}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("appfleet.providers.email", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string
        keep_trailing_newline=True,
    )
    env.filters["linkify"] = _linkify
    env.filters.update(FORMAT_FILTERS)
    return env


def language_of(preference: str | None) -> str:
    """The template language for a user's preference ("es-MX" -> "es"); English otherwise."""
    primary = (preference or "en").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else "en"


def render(template: str, /, *, language: str | None = "en", **context: Any) -> RenderedEmail:
    """The email in the user's language when it is translated, else in English. The HTML part
    is the template's own when it has one, else the text laid out with the app's name."""
    env = _environment()
    lang = language_of(language)
    suffix = "" if lang == "en" else f".{lang}"
    try:
        text_template = env.get_template(f"{template}{suffix}.txt")
    except TemplateNotFound:
        lang, suffix = "en", ""
        text_template = env.get_template(f"{template}.txt")
    context = {**DEFAULT_BRAND, **context, "language": lang}
    first, _, body = text_template.render(**context).partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"email template {template}{suffix}.txt must start with 'Subject: '")
    text = body.lstrip()
    try:
        html = env.get_template(f"{template}{suffix}.html").render(**context)
    except TemplateNotFound:
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        html = env.get_template("_layout.html").render(paragraphs=paragraphs, **context)
    return RenderedEmail(subject=first.removeprefix("Subject: ").strip(), text=text, html=html)
