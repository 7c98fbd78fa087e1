from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from appfleet.core.database import Database, unit_of_work
from appfleet.core.errors import ValidationFailed
from appfleet.core.idempotency.models import IdempotencyRecord as Row
from appfleet.core.pagination import (
    CursorParams,
    cursor_page,
    decode_cursor,
    encode_cursor,
    keyset_page,
)

pytestmark = pytest.mark.anyio
BASE = datetime(2026, 1, 1, tzinfo=UTC)


async def add_rows(db: Database, stamps: list[datetime], prefix: str) -> None:
    async with unit_of_work(db) as session:
        for n, at in enumerate(stamps):
            session.add(
                Row(
                    app="a",
                    principal="p",
                    key=f"{prefix}{n}",
                    request_hash="h",
                    created_at=at,
                    expires_at=at,
                )
            )


async def read_page(db: Database, params: CursorParams) -> tuple[list[str], str | None]:
    columns = [Row.created_at, Row.id]
    async with unit_of_work(db, write=False) as session:
        statement = keyset_page(select(Row), columns, params, [datetime, int])
        rows = (await session.scalars(statement)).all()
    page, cursor = cursor_page(rows, params, lambda r: (r.created_at, r.id))
    return [r.key for r in page], cursor


async def test_cursor_pages_cover_every_row_once_even_with_ties(database: Database) -> None:
    # 45 rows, three per timestamp: ties are broken by id.
    await add_rows(database, [BASE + timedelta(minutes=n // 3) for n in range(45)], "r")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        keys, cursor = await read_page(database, CursorParams(limit=20, cursor=cursor))
        seen.extend(keys)
        pages += 1
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 45


async def test_new_rows_do_not_shift_a_feed_being_read(database: Database) -> None:
    await add_rows(database, [BASE + timedelta(minutes=n) for n in range(30)], "old")
    first, cursor = await read_page(database, CursorParams(limit=10, cursor=None))
    await add_rows(database, [BASE + timedelta(days=1, minutes=n) for n in range(5)], "new")
    second, _ = await read_page(database, CursorParams(limit=10, cursor=cursor))
    assert first == [f"old{n}" for n in range(29, 19, -1)]
    assert second == [f"old{n}" for n in range(19, 9, -1)]


def test_cursor_round_trips_datetimes_and_ids() -> None:
    cursor = encode_cursor([BASE, 42])
    assert decode_cursor(cursor, [datetime, int]) == [BASE, 42]


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor([1]), encode_cursor(["x", 1])])
def test_a_bad_cursor_is_a_validation_error(bad: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        decode_cursor(bad, [datetime, int])
    assert "cursor" in failure.value.details
