"""The chat bot's understanding: what a question about the member's own money asks, and the
numbers that answer it, from their data.

"How much did I spend on food last month?" becomes (spent, Food & Dining, 1-28 February), and
SQL sums it. The numbers are the facts of the request: a model phrases them (its prompt holds
them, so it needs no access to anything), and without one the local composer below writes the
answer itself — correctly, since the arithmetic was done here either way.
"""

from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Category, Transaction
from appfleet.apps.pennywise.money import to_text
from appfleet.apps.pennywise.service import _accounts, _categories
from appfleet.apps.pennywise.service._analytics import period_start, shift
from appfleet.apps.pennywise.service._common import INCOME, SPENT, Owner
from appfleet.providers.ai.base import ChatMessage, TextRequest, Tone

Intent = Literal["spent", "earned", "balance", "top", "help"]
T = Transaction.__table__.c
PURPOSE = "finance_answer"
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
# Words people use for the default categories (a member's own match by their names).
SYNONYMS = {
    "food": "Food & Dining",
    "dining": "Food & Dining",
    "restaurants": "Food & Dining",
    "restaurant": "Food & Dining",
    "eating out": "Food & Dining",
    "takeaway": "Food & Dining",
    "coffee": "Food & Dining",
    "groceries": "Groceries",
    "grocery": "Groceries",
    "supermarket": "Groceries",
    "transport": "Transport",
    "transportation": "Transport",
    "taxi": "Transport",
    "uber": "Transport",
    "bus": "Transport",
    "fuel": "Transport",
    "gas": "Transport",
    "shopping": "Shopping",
    "clothes": "Shopping",
    "bills": "Bills & Utilities",
    "utilities": "Bills & Utilities",
    "rent": "Housing",
    "housing": "Housing",
    "entertainment": "Entertainment",
    "movies": "Entertainment",
    "health": "Health",
    "doctor": "Health",
    "pharmacy": "Health",
    "travel": "Travel",
    "flights": "Travel",
    "education": "Education",
    "courses": "Education",
    "subscriptions": "Subscriptions",
    "gifts": "Gifts & Donations",
    "donations": "Gifts & Donations",
    "salary": "Salary",
    "freelance": "Freelance",
    "investments": "Investments",
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


@dataclass(frozen=True, slots=True)
class Question:
    intent: Intent
    category: Category | None
    start: date | None
    end: date | None
    period: str  # how the member said it: "last month", "in March", "so far"


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9&]+", " ", text.lower()).strip() + " "


def _intent(words: str) -> Intent:
    if any(f" {w} " in words for w in ("balance", "left", "have")) and " spen" not in words:
        return "balance"
    if any(f" {w} " in words for w in ("most", "biggest", "largest", "top")):
        return "top"
    if any(f" {w}" in words for w in ("earn", "income", "made ", "make ", "paid me", "receive")):
        return "earned"
    if any(f" {w}" in words for w in ("spen", "cost", "pay", "paid", "expens", "much")):
        return "spent"
    return "help"


def _period(words: str, today: date) -> tuple[date | None, date | None, str]:
    if " today " in words:
        return today, today, "today"
    if " yesterday " in words:
        day = today - timedelta(days=1)
        return day, day, "yesterday"
    if match := re.search(r" last (\d{1,3}) days ", words):
        days = int(match.group(1))
        return today - timedelta(days=days - 1), today, f"in the last {days} days"
    for unit in ("week", "month", "year"):
        this = period_start(today, unit)
        if f" last {unit} " in words or f" previous {unit} " in words:
            start = shift(this, unit, 1)
            return start, this - timedelta(days=1), f"last {unit}"
        if f" this {unit} " in words:
            return this, today, f"this {unit}"
    for name, month in MONTHS.items():
        if f" {name} " in words and (name != "may" or " in may " in words):
            year = today.year if month <= today.month else today.year - 1
            last = calendar.monthrange(year, month)[1]
            label = f"in {calendar.month_name[month]} {year}"
            return date(year, month, 1), min(date(year, month, last), today), label
    return None, None, ""


def _category(words: str, categories: list[Category]) -> Category | None:
    by_name = {c.name: c for c in categories}
    # The member's own categories first, by their names (longest first: "pet food" > "pet").
    for category in sorted(categories, key=lambda c: -len(c.name_key)):
        name = _words(category.name).strip()
        if f" {name} " in words or f" {name}s " in words or f" {name.removesuffix('s')} " in words:
            return category
    for word, name in sorted(SYNONYMS.items(), key=lambda kv: -len(kv[0])):
        if (f" {word} " in words or f" {word}s " in words) and name in by_name:
            return by_name[name]
    return None


async def understand(session: AsyncSession, owner: Owner, text: str, today: date) -> Question:
    words = _words(text)
    categories = list(
        await session.scalars(select(Category).where(_categories.visible_to(owner.user_id)))
    )
    intent = _intent(words)
    start, end, label = _period(words, today)
    if intent in ("spent", "earned", "top") and start is None:
        start, end, label = period_start(today, "month"), today, "this month"
    return Question(intent, _category(words, categories), start, end, label)


async def facts(session: AsyncSession, owner: Owner, question: Question) -> dict[str, Any]:
    """The numbers that answer `question`, as text amounts in the member's currency."""
    currency = await _accounts.stored_currency(session, owner.user_id)
    base: dict[str, Any] = {
        "intent": question.intent,
        "period": question.period,
        "from": question.start.isoformat() if question.start else None,
        "to": question.end.isoformat() if question.end else None,
        "currency": currency,
        "category": question.category.name if question.category else None,
    }
    conditions = [T.user_id == owner.user_id]
    if question.start is not None and question.end is not None:
        conditions.append(T.occurred_on.between(question.start, question.end))
    if question.intent == "balance":
        total = await session.scalar(
            select(func.coalesce(func.sum(T.amount_minor), 0)).where(T.user_id == owner.user_id)
        )
        return {**base, "balance": to_text(int(total or 0), currency)}
    if question.intent == "top":
        spent = func.sum(-T.amount_minor)
        rows = (
            await session.execute(
                select(Category.name, spent)
                .join(Category, Category.id == T.category_id)
                .where(*conditions, T.amount_minor < 0)
                .group_by(Category.name)
                .order_by(spent.desc(), Category.name)
            )
        ).all()
        total = sum(int(r[1]) for r in rows)
        top = rows[0] if rows else None
        return {
            **base,
            "top_category": top[0] if top else None,
            "amount": to_text(int(top[1]), currency) if top else None,
            "share": round(int(top[1]) / total, 3) if top and total else None,
            "total_spent": to_text(total, currency),
        }
    if question.intent in ("spent", "earned"):
        if question.category is not None:
            conditions.append(T.category_id == question.category.id)
        sign = SPENT if question.intent == "spent" else INCOME
        side = T.amount_minor < 0 if question.intent == "spent" else T.amount_minor > 0
        row = (
            await session.execute(
                select(func.coalesce(func.sum(sign), 0), func.count().filter(side)).where(
                    *conditions
                )
            )
        ).one()
        return {**base, "amount": to_text(int(row[0]), currency), "transactions": int(row[1])}
    return base


def money(amount: str, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    negative = amount.startswith("-")
    plain = amount.removeprefix("-")
    text = f"{symbol}{plain}" if symbol else f"{plain} {currency}"
    return f"-{text}" if negative else text


def _span(f: dict[str, Any]) -> str:
    if not f.get("from") or f["from"] == f["to"]:
        return ""
    start, end = date.fromisoformat(f["from"]), date.fromisoformat(f["to"])
    return f" ({start:%b} {start.day} – {end:%b} {end.day}, {end.year})"


def compose(f: dict[str, Any], _language: str, _tone: Tone, _rng: random.Random) -> str:
    """The local bot's answer, from the facts alone (English: the numbers are what count)."""
    intent, currency = f.get("intent"), str(f.get("currency", "USD"))
    period = str(f.get("period") or "so far")
    if intent == "balance":
        return f"Your balance is {money(str(f['balance']), currency)}."
    if intent == "top":
        if not f.get("top_category"):
            return f"You have no spending recorded {period}."
        share = round(100 * float(f["share"] or 0))
        return (
            f"{period.capitalize()} you spent the most on {f['top_category']}: "
            f"{money(str(f['amount']), currency)}, {share}% of your "
            f"{money(str(f['total_spent']), currency)} in spending{_span(f)}."
        )
    if intent in ("spent", "earned"):
        on = f" on {f['category']}" if f.get("category") and intent == "spent" else ""
        source = f" from {f['category']}" if f.get("category") and intent == "earned" else ""
        count = int(f.get("transactions") or 0)
        verb = "spent" if intent == "spent" else "earned"
        if count == 0:
            return f"You haven't {verb} anything{on}{source} {period}{_span(f)}."
        plural = "transaction" if count == 1 else "transactions"
        return (
            f"You {verb} {money(str(f['amount']), currency)}{on}{source} {period}{_span(f)}, "
            f"in {count} {plural}."
        )
    return (
        "I can tell you what you spent or earned, by category and period, your balance, and "
        'where most of your money went — try "How much did I spend on food last month?"'
    )


def request(question_text: str, f: dict[str, Any], history: list[tuple[str, str]]) -> TextRequest:
    """What a model is asked: the member's question with the computed numbers (it answers
    from these, never guesses them)."""
    system = (
        "You are PennyWise's assistant. Answer the user's question about their own money in one "
        "or two friendly sentences, using only these figures computed from their records: "
        f"{f}. Amounts are in {f.get('currency')}. If the figures do not answer the question, "
        "say what you can answer."
    )
    messages = [ChatMessage("system", system)]
    messages += [ChatMessage("user" if s == "user" else "assistant", c) for s, c in history]
    messages.append(ChatMessage("user", question_text))
    return TextRequest(PURPOSE, tuple(messages), facts=f, max_tokens=200, temperature=0.3)
