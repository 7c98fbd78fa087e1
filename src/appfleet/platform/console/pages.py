"""Rendering console pages: one Jinja environment (autoescaped), the headers every page gets
(no caching, a strict content security policy: no scripts at all), and the route class that
turns a missing session into a redirect and a refusal into an HTML page."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from appfleet.core.errors import AppError
from appfleet.core.routing import DeferredRoute
from appfleet.platform.admin.schemas import DaySeries
from appfleet.platform.console.session import PATH, Console, SignInRequired

_env = Environment(
    loader=PackageLoader("appfleet.platform.console", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
# What each section of the console needs, one of (the nav shows only what the admin may open).
SECTIONS = (
    ("dashboard", "Dashboard", f"{PATH}", "analytics"),
    ("users", "Users", f"{PATH}/users", "users:read"),
    ("moderation", "Moderation", f"{PATH}/moderation", "content"),
    ("catalogs", "Catalogs", f"{PATH}/catalogs", ("content", "products")),
    ("outbox", "Outbox", f"{PATH}/outbox", "outbox"),
    ("flags", "Flags", f"{PATH}/flags", "flags"),
    ("experiments", "Experiments", f"{PATH}/experiments", "flags"),
    ("limits", "Limits", f"{PATH}/limits", "flags"),
    ("health", "System health", f"{PATH}/health", "analytics"),
)


def render(
    name: str, console: Console | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    sections = []
    if console is not None:
        sections = [
            {"key": key, "title": title, "href": href}
            for key, title, href, needs in SECTIONS
            if any(console.admin.apps(p) != frozenset() for p in _tuple(needs))
        ]
    html = _env.get_template(name).render(console=console, sections=sections, **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _tuple(needs: str | tuple[str, ...]) -> tuple[str, ...]:
    return needs if isinstance(needs, tuple) else (needs,)


def back_to(url: str) -> RedirectResponse:
    """After a form: see the result with a GET (post/redirect/get)."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def chart(series: DaySeries, width: int = 600, height: int = 160) -> dict[str, Any]:
    """Bars for a daily series, scaled into an SVG viewBox; labels for a screen reader."""
    peak = max(series.counts, default=0)
    scale = peak or 1
    step = width / max(len(series.counts), 1)
    bars = []
    for i, (day, count) in enumerate(zip(series.days, series.counts, strict=True)):
        h = round(count / scale * (height - 20), 1)
        bars.append(
            {
                "x": round(i * step + 1, 1),
                "y": round(height - h, 1),
                "w": round(step - 2, 1),
                "h": h,
                "label": f"{day.isoformat()}: {count}",
            }
        )
    return {
        "name": series.name,
        "width": width,
        "height": height,
        "bars": bars,
        "peak": peak,
        "total": sum(series.counts),
        "rows": list(zip(series.days, series.counts, strict=True)),
    }


class ConsoleRoute(DeferredRoute):
    """A console route: no session → the sign-in page; an error → a page saying it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return back_to(f"{PATH}/login")
            except AppError as error:
                return render("error.html", None, status=error.status, message=error.message)
            except RequestValidationError as error:
                fields = ", ".join(str(e.get("loc", ("?",))[-1]) for e in error.errors())
                return render(
                    "error.html", None, status=400, message=f"Check these fields: {fields}"
                )

        return route


_env.globals["chart"] = chart
