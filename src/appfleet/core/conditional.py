"""Cacheable JSON: an ETag over the body, and 304 Not Modified for a client that has it."""

from __future__ import annotations

import hashlib

from starlette.responses import Response


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def cacheable_json(
    body: bytes, if_none_match: str | None, *, max_age_s: int, public: bool = True
) -> Response:
    """`body` with its ETag and Cache-Control, or an empty 304 when the client's copy matches."""
    etag = etag_of(body)
    scope = "public" if public else "private"
    headers = {"ETag": etag, "Cache-Control": f"{scope}, max-age={max_age_s}"}
    if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
