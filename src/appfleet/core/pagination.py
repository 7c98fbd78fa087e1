"""Pagination: offset pages for lists a person browses, cursor pages for feeds that grow.

A cursor is the sort key of the last row seen, so inserts never shift or repeat a feed page the
way offsets do. Default page size 20, at most 100.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, Select, and_, or_

from appfleet.core.errors import ValidationFailed
from appfleet.core.schemas import Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Deep offsets are what cursors are for; beyond this one is a mistake (and past 2**63 the
# database cannot even hold it).
MAX_OFFSET = 1_000_000
T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class OffsetParams:
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class CursorParams:
    limit: int
    cursor: str | None


async def offset_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")] = 0,
) -> OffsetParams:
    return OffsetParams(limit, offset)


async def cursor_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
    ] = None,
) -> CursorParams:
    return CursorParams(limit, cursor)


OffsetPage = Annotated[OffsetParams, Depends(offset_params)]
CursorPaging = Annotated[CursorParams, Depends(cursor_params)]


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, date) else v for v in values]  # datetimes too
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The sort key inside `cursor`, converted back to `kinds`; a bad cursor is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
        if not isinstance(plain, list) or len(plain) != len(kinds):
            raise ValueError("wrong shape")
        return [
            kind.fromisoformat(value) if kind in (datetime, date) else kind(value)
            for value, kind in zip(plain, kinds, strict=True)
        ]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "The cursor is not valid; start again without one",
            details={"cursor": {"message": "malformed or from another list"}},
        ) from exc


def after_cursor(
    columns: Sequence[ColumnElement[Any]], values: Sequence[Any], *, descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after `values` in (columns...) order, written without row-value syntax so
    every backend can use the index."""
    clauses = []
    for depth, column in enumerate(columns):
        prefix = [columns[i] == values[i] for i in range(depth)]
        beyond = column < values[depth] if descending else column > values[depth]
        clauses.append(and_(*prefix, beyond))
    return or_(*clauses)


def keyset_page(
    statement: Select[Any],
    columns: Sequence[ColumnElement[Any]],
    params: CursorParams,
    kinds: Sequence[type],
    *,
    descending: bool = True,
) -> Select[Any]:
    """`statement` ordered by `columns`, after the cursor, fetching one extra row to tell
    whether another page exists (see `cursor_page`)."""
    if params.cursor:
        values = decode_cursor(params.cursor, kinds)
        statement = statement.where(after_cursor(columns, values, descending=descending))
    order = [c.desc() if descending else c.asc() for c in columns]
    return statement.order_by(*order).limit(params.limit + 1)


def cursor_page(rows: Sequence[T], params: CursorParams, key: Any) -> tuple[list[T], str | None]:
    """Split the limit+1 rows of `keyset_page` into this page and the next cursor."""
    page = list(rows[: params.limit])
    has_more = len(rows) > params.limit
    return page, (encode_cursor(key(page[-1])) if has_more and page else None)
