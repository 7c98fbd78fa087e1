"""Keyset pagination as a property: whatever rows exist (ties included) and whatever is
inserted between two page reads, a reader walking the pages sees every row that was there when
it started exactly once, never one twice, in strict (time, id) order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.engine import Connection

from appfleet.core.pagination import CursorParams, cursor_page, keyset_page

metadata = MetaData()
rows = Table(
    "row",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Integer, nullable=False, index=True),
)

STAMPS = st.integers(min_value=0, max_value=15)  # few values: many ties


@pytest.fixture(scope="module")
def engine_connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _page(connection: Connection, params: CursorParams) -> tuple[list[tuple[int, int]], str | None]:
    statement = keyset_page(select(rows), [rows.c.at, rows.c.id], params, [int, int])
    found = [(r.at, r.id) for r in connection.execute(statement)]
    return cursor_page(found, params, lambda r: r)


@settings(max_examples=150, deadline=None, database=None)
@given(
    initial=st.lists(STAMPS, max_size=40),
    limit=st.integers(min_value=1, max_value=7),
    inserted=st.lists(st.lists(STAMPS, max_size=4), max_size=12),
)
def test_pages_skip_and_repeat_nothing_while_rows_are_inserted(
    engine_connection: Connection, initial: list[int], limit: int, inserted: list[list[int]]
) -> None:
    connection = engine_connection
    connection.execute(rows.delete())
    if initial:
        connection.execute(insert(rows), [{"at": at} for at in initial])
    there_at_start = {r.id for r in connection.execute(select(rows.c.id))}

    seen: list[tuple[int, int]] = []
    cursor: str | None = None
    for step in range(len(initial) + len(inserted) * 4 + 2):
        page, cursor = _page(connection, CursorParams(limit=limit, cursor=cursor))
        seen.extend(page)
        if cursor is None:
            break
        if step < len(inserted) and inserted[step]:
            connection.execute(insert(rows), [{"at": at} for at in inserted[step]])
    assert cursor is None, "the walk did not end"

    ids = [row_id for _, row_id in seen]
    assert len(ids) == len(set(ids)), "a row was repeated"
    assert there_at_start <= set(ids), "a row that was there from the start was skipped"
    assert seen == sorted(seen, reverse=True), "pages are out of order"
