"""Email bodies from Jinja2 templates: `<name>.txt` (first line `Subject: …`), translations as
`<name>.<lang>.txt` (es, fr, de), and an `<name>.html` part when a template has its own; otherwise
the HTML part is the text laid out under the app's name (`_layout.html`). Templates ship inside
the package."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape
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


def _linkify(text: str) -> Markup:
    """Escape, link URLs, keep line breaks: a paragraph of the text part as HTML."""
    escaped = str(escape(text))
    linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return Markup(linked.replace("\n", "<br>\n"))  # noqa: S704 - built from escaped text


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("appfleet.providers.email", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string
        keep_trailing_newline=True,
    )
    env.filters["linkify"] = _linkify
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
    first, _, body = text_template.render(**context).partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"email template {template}{suffix}.txt must start with 'Subject: '")
    text = body.lstrip()
    try:
        html = env.get_template(f"{template}{suffix}.html").render(**context)
    except TemplateNotFound:
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        html = env.get_template("_layout.html").render(
            paragraphs=paragraphs, language=lang, **context
        )
    return RenderedEmail(subject=first.removeprefix("Subject: ").strip(), text=text, html=html)
