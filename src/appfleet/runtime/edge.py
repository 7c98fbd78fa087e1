"""Public pages answered from the cache before routing, as a CDN in front of the API would.

A catalog page is the same for everyone, yet serving it through FastAPI costs routing,
dependency solving and parameter validation on every request — most of its time once the body
itself is cached. An app declares such pages (`PublicPage`); a GET for one whose query holds
only the page's declared parameters, once each, is answered here from the cache, with its ETag
(304 for a client that has it). A miss goes through the app as usual, and a 200 the app marked
`Cache-Control: public` is stored for the next request. Entries live under the page's cache
prefix, so the app's own invalidation (deleting that prefix after a commit) drops them too, and
they are stored only if no invalidation happened while the page was built (`read_through`'s
rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appfleet.core.conditional import etag_of
from appfleet.core.registry import PublicPage
from appfleet.runtime.cache import Cache

MAX_QUERY_BYTES = 256  # longer queries are not pages people browse
_SEPARATOR = b"\n"


@dataclass(frozen=True, slots=True)
class _Route:
    """Stands in for the matched route, so metrics and logs label edge answers as the page."""

    path: str


@dataclass(frozen=True, slots=True)
class _Page:
    spec: PublicPage
    route: _Route


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _pack(etag: bytes, cache_control: bytes, body: bytes) -> bytes:
    return etag + _SEPARATOR + cache_control + _SEPARATOR + body


def _unpack(entry: bytes) -> tuple[bytes, bytes, bytes]:
    etag, cache_control, body = entry.split(_SEPARATOR, 2)
    return etag, cache_control, body


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    return if_none_match is not None and etag in {t.strip() for t in if_none_match.split(b",")}


class EdgeCache:
    """ASGI app in front of `inner`: declared public pages from the cache, the rest through."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self._pages: dict[str, _Page] = {}

    def add(self, prefix: str, pages: tuple[PublicPage, ...]) -> None:
        for page in pages:
            self._pages[prefix + page.path] = _Page(page, _Route(page.path))

    def _key(self, page: PublicPage, path: str, query: bytes) -> str | None:
        """The entry's key, or None when the query is not one the page is cached for."""
        if len(query) > MAX_QUERY_BYTES:
            return None
        try:
            pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return None
        names = [name for name, _ in pairs]
        if len(set(names)) != len(names) or not set(names) <= set(page.params):
            return None
        return f"{page.cache_prefix}edge:{path}?{urlencode(sorted(pairs))}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = self._pages.get(scope.get("path", "")) if scope["type"] == "http" else None
        if page is None or scope["method"] != "GET":
            await self.inner(scope, receive, send)
            return
        key = self._key(page.spec, scope["path"], scope.get("query_string", b""))
        cache: Cache | None = getattr(scope["app"].state, "cache", None)
        if key is None or cache is None:
            await self.inner(scope, receive, send)
            return
        entry = await cache.get(key)
        if entry is not None:
            scope["route"] = page.route
            await self._answer(scope, send, *_unpack(entry))
            return
        generation = await cache.generation(key)
        captured = _Capture(send)
        await self.inner(scope, receive, captured)
        stored = captured.storable()
        if stored is not None:
            await cache.set_if_generation(key, stored, page.spec.ttl_s, generation)

    async def _answer(
        self, scope: Scope, send: Send, etag: bytes, cache_control: bytes, body: bytes
    ) -> None:
        headers = [(b"etag", etag), (b"cache-control", cache_control)]
        if _matches(_header(scope, b"if-none-match"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _Capture:
    """Passes the response on while keeping a copy of a public 200 JSON body."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.keep = False
        self.etag = b""
        self.cache_control = b""
        self.chunks: list[bytes] = []
        self.complete = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", ()))
            self.cache_control = headers.get(b"cache-control", b"")
            self.etag = headers.get(b"etag", b"")
            self.keep = (
                message["status"] == 200
                and headers.get(b"content-type", b"").startswith(b"application/json")
                and self.cache_control.startswith(b"public")
            )
        elif message["type"] == "http.response.body" and self.keep:
            self.chunks.append(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        await self.send(message)

    def storable(self) -> bytes | None:
        if not (self.keep and self.complete):
            return None
        body = b"".join(self.chunks)
        return _pack(self.etag or etag_of(body).encode(), self.cache_control, body)
