"""`POST /import`: the app's local storage (seed 003 section 13.1, AsyncStorage to server).

Categories match by name (case-insensitive) among the defaults and the member's own; unknown
names become the member's categories. A transaction's category is its `category` name or its
`categoryId` among the file's categories, else "Other". Amounts are exact decimals (text or
number as written); `type` gives the sign, or a negative amount means an expense. Each row's
`id` from the phone becomes its client id, so importing the same file again skips what is
there; a row without one gets an id from its content. Invalid rows are counted and explained.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Category, Transaction
from appfleet.apps.pennywise.money import AmountError, to_minor
from appfleet.apps.pennywise.schemas import ImportCounts, ImportFile, ImportProblem, ImportResult
from appfleet.apps.pennywise.service import _accounts, _categories
from appfleet.apps.pennywise.service._common import (
    Ledger,
    Owner,
    balance_moved,
    categories_key,
    forget_money,
)
from appfleet.core.clock import zone
from appfleet.core.database import insert
from appfleet.runtime.cache import forget_after_commit

FALLBACK = "other"
MAX_PROBLEMS = 100
BATCH = 500


class RowError(ValueError):
    pass


def _text(row: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return None


def _day(value: object, timezone: str) -> date:
    if not isinstance(value, str):
        raise RowError("date is missing")
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RowError(f"date {text[:40]!r} is not an ISO date") from exc
    return moment.astimezone(zone(timezone)).date() if moment.tzinfo else moment.date()


def _amount(row: dict[str, Any], currency: str) -> int:
    raw = row.get("amount")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise RowError("amount is missing")
    try:
        amount = Decimal(str(raw).strip())  # a float's shortest text: 4.5 stays 4.5
    except InvalidOperation as exc:
        raise RowError("amount is not a number") from exc
    kind = row.get("type")
    if kind not in (None, "income", "expense"):
        raise RowError("type must be income or expense")
    try:
        minor = abs(to_minor(amount, currency))
    except AmountError as exc:
        raise RowError(str(exc)) from exc
    if minor == 0:
        raise RowError("amount is zero")
    expense = kind == "expense" or (kind is None and amount < 0)
    return -minor if expense else minor


async def run(
    session: AsyncSession, ledger: Ledger, owner: Owner, file: ImportFile
) -> ImportResult:
    now = ledger.clock.now()
    known = {
        c.name_key: c.id
        for c in await session.scalars(
            select(Category).where(_categories.visible_to(owner.user_id))
        )
    }
    created_categories = matched = 0
    names_by_file_id: dict[str, str] = {}
    for entry in file.categories:
        name = _text(entry, "name", "title")
        if name is None or len(name) > 100:
            continue
        if (file_id := _text(entry, "id")) is not None:
            names_by_file_id[file_id] = name
        if name.casefold() in known:
            matched += 1
            continue
        icon = _text(entry, "icon") or "tag"
        category = Category(
            user_id=owner.user_id,
            name=name,
            name_key=name.casefold(),
            icon=icon[:50].lower(),
            is_default=False,
            created_at=now,
        )
        session.add(category)
        await session.flush()
        known[category.name_key] = category.id
        created_categories += 1

    currency = await _accounts.stored_currency(session, owner.user_id)
    rows: list[dict[str, Any]] = []
    problems: list[ImportProblem] = []
    invalid = 0
    for index, raw in enumerate(file.transactions):
        client_id = _text(raw, "id")
        try:
            rows.append(_row(raw, client_id, owner, currency, known, names_by_file_id, now))
        except RowError as exc:
            invalid += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(ImportProblem(index=index, id=client_id, reason=str(exc)))
    created = delta = 0
    for start in range(0, len(rows), BATCH):
        statement = (
            insert(session, Transaction.__table__)
            .values(rows[start : start + BATCH])
            .on_conflict_do_nothing(index_elements=["user_id", "client_id"])
            .returning(Transaction.__table__.c.amount_minor)
        )
        amounts = list((await session.execute(statement)).scalars())
        created, delta = created + len(amounts), delta + sum(amounts)
    if created_categories:
        forget_after_commit(session, ledger.cache, categories_key(owner.user_id))
    if created:
        forget_money(session, ledger, owner)
        balance_moved(session, ledger, owner.user_id, delta, currency)
    return ImportResult(
        categories_created=created_categories,
        categories_matched=matched,
        transactions=ImportCounts(created=created, skipped=len(rows) - created, invalid=invalid),
        problems=problems,
    )


def _row(
    raw: dict[str, Any],
    client_id: str | None,
    owner: Owner,
    currency: str,
    known: dict[str, uuid.UUID],
    names_by_file_id: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    if client_id is not None and len(client_id) > 100:
        raise RowError("id is longer than 100 characters")
    minor = _amount(raw, currency)
    day = _day(raw.get("date") or raw.get("transactionDate"), owner.timezone)
    description = _text(raw, "description", "note", "title") or ""
    if len(description) > 500:
        raise RowError("description is longer than 500 characters")
    name = _text(raw, "category") or names_by_file_id.get(_text(raw, "categoryId") or "")
    category_id = known.get((name or "").casefold()) or known.get(FALLBACK)
    if category_id is None:
        raise RowError(f"category {name!r} is unknown")
    if client_id is None:  # the same row imported twice is still one
        facts = f"{day}|{minor}|{description}|{category_id}"
        client_id = "import:" + hashlib.sha256(facts.encode()).hexdigest()[:40]
    return {
        "id": uuid.uuid4(),
        "user_id": owner.user_id,
        "category_id": category_id,
        "amount_minor": minor,
        "currency": currency,
        "description": description,
        "occurred_on": day,
        "client_id": client_id,
        "created_at": now,
        "updated_at": now,
    }
