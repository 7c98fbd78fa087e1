from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict, Field

from appfleet.apps.pennywise.money import CURRENCY_PATTERN
from appfleet.core.schemas import Schema

Kind = Literal["income", "expense"]
ICON = r"^[a-z0-9][a-z0-9-]{0,49}$"
Amount = Field(
    gt=0,
    max_digits=16,
    description='Positive, exact: a decimal string such as "12.50" (JSON numbers are read '
    "as written). Its sign comes from `type`.",
    examples=["12.50"],
)


class AccountRead(Schema):
    currency: str = Field(description="ISO 4217; every amount is in it.")


class AccountUpdate(Schema):
    model_config = ConfigDict(extra="forbid")
    currency: str = Field(pattern=CURRENCY_PATTERN, examples=["EUR"])


class CategoryRead(Schema):
    id: uuid.UUID
    name: str
    icon: str = Field(description="An icon name the app maps to its icon set.")
    is_default: bool


class CategoryCreate(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    icon: str = Field("tag", pattern=ICON)


class CategoryUpdate(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = Field(None, min_length=1, max_length=100)
    icon: str | None = Field(None, pattern=ICON)


class TransactionCreate(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    amount: Decimal = Amount
    type: Kind
    category_id: uuid.UUID
    description: str = Field("", max_length=500)
    date: dt.date | None = Field(None, description="Your local date; today if absent.")
    client_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="The phone's id for this row: a retry with the same id is the same row.",
    )


class TransactionUpdate(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    amount: Decimal | None = Field(None, gt=0, max_digits=16)
    type: Kind | None = None
    category_id: uuid.UUID | None = None
    description: str | None = Field(None, max_length=500)
    date: dt.date | None = None


class TransactionRead(Schema):
    id: uuid.UUID
    amount: str = Field(description="Positive decimal text.", examples=["12.50"])
    type: Kind
    signed_amount: str = Field(description="Negative for expenses.", examples=["-12.50"])
    currency: str
    category_id: uuid.UUID
    description: str
    date: dt.date
    client_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TransactionPage(Schema):
    items: list[TransactionRead]
    next_cursor: str | None


class BalanceRead(Schema):
    currency: str
    balance: str = Field(description="Income minus expenses up to and including `as_of`.")
    income: str
    expenses: str = Field(description="Positive.")
    as_of: dt.date | None = Field(description="None: everything so far.")
    transactions: int


class ImportFile(Schema):
    """What the app exported from its local storage (AsyncStorage): categories and
    transactions as it kept them. Rows are checked one by one, so a bad one is reported, not
    fatal."""

    categories: list[dict[str, object]] = Field(default_factory=list, max_length=500)
    transactions: list[dict[str, object]] = Field(default_factory=list, max_length=5000)


class ImportProblem(Schema):
    index: int = Field(description="The row's position in `transactions`.")
    id: str | None
    reason: str


class ImportCounts(Schema):
    created: int
    skipped: int = Field(0, description="Already imported (same id).")
    invalid: int = 0


class ImportResult(Schema):
    categories_created: int
    categories_matched: int
    transactions: ImportCounts
    problems: list[ImportProblem] = Field(description="The first 100 invalid rows and why.")


class MessageCreate(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    content: str = Field(
        min_length=1, max_length=2000, examples=["How much did I spend on food last month?"]
    )


class MessageRead(Schema):
    id: uuid.UUID
    sender: Literal["user", "bot"]
    content: str
    source: str | None = Field(description="The bot's: provider, cache, fallback_cache or local.")
    created_at: dt.datetime


class MessagePage(Schema):
    items: list[MessageRead]
    next_cursor: str | None


class ChatExchange(Schema):
    message: MessageRead = Field(description="Yours, as stored.")
    reply: MessageRead = Field(description="The bot's answer, as stored.")


class InsightRead(Schema):
    id: uuid.UUID
    type: str = Field(
        description="category_spike, large_expense, spending_trend, recurring_charge or "
        "savings_rate."
    )
    title: str
    content: str = Field(description="The finding in a sentence (phrased by the AI provider).")
    data: dict[str, object] = Field(description="The figures behind it.")
    source: str
    created_at: dt.datetime
    expires_at: dt.datetime


class TransactionQuery(Schema):
    """`GET /transactions`'s filters (read in one validation: see core/query.py)."""

    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=True)
    category_id: uuid.UUID | None = None
    start: dt.date | None = Field(None, alias="from", description="From this date.")
    end: dt.date | None = Field(None, alias="to", description="Up to this date.")
    min_amount: Decimal | None = Field(None, ge=0, max_digits=16, description="Size, any type.")
    max_amount: Decimal | None = Field(None, ge=0, max_digits=16)
    q: str | None = Field(None, min_length=1, max_length=100, description="In descriptions.")
    type: Kind | None = None
    order: Literal["desc", "asc"] = Field("desc", description="By date.")
    limit: int = Field(20, ge=1, le=100, description="Page size.")
    cursor: str | None = Field(None, max_length=512, description="`next_cursor` of the last page.")


class AnalyticsQuery(Schema):
    """`GET /transactions/analytics`'s question (read in one validation)."""

    model_config = ConfigDict(populate_by_name=True)
    period: Literal["week", "month", "year"] = Field("month", description="The buckets.")
    start: dt.date | None = Field(None, alias="from", description="Default: six periods back.")
    end: dt.date | None = Field(None, alias="to", description="Default: today.")
