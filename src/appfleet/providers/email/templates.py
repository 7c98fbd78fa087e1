"""Email bodies from Jinja2 templates: `<name>.txt` (first line `Subject: …`) and, when present,
`<name>.html` (autoescaped). Templates ship inside the package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None

    def as_payload(self) -> dict[str, Any]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("appfleet.providers.email", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string
        keep_trailing_newline=True,
    )


def render(template: str, /, **context: Any) -> RenderedEmail:
    env = _environment()
    first, _, text = env.get_template(f"{template}.txt").render(**context).partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"email template {template}.txt must start with 'Subject: '")
    try:
        html: str | None = env.get_template(f"{template}.html").render(**context)
    except TemplateNotFound:
        html = None
    return RenderedEmail(
        subject=first.removeprefix("Subject: ").strip(), text=text.lstrip(), html=html
    )
