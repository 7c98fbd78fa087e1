"""PennyWise's API (seed 003): transactions, categories, balance and analytics, the import of
the app's local storage. Sign-in, sessions and privacy come from the platform."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from appfleet.apps.pennywise import jobs
from appfleet.apps.pennywise.deps import (
    LedgerDep,
    OwnedCategory,
    OwnedTransaction,
    OwnerDep,
    ledger_of,
)
from appfleet.apps.pennywise.schemas import (
    AccountRead,
    AccountUpdate,
    AnalyticsQuery,
    BalanceRead,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ChatExchange,
    ImportFile,
    ImportResult,
    InsightRead,
    MessageCreate,
    MessagePage,
    TransactionCreate,
    TransactionPage,
    TransactionQuery,
    TransactionRead,
    TransactionUpdate,
)
from appfleet.apps.pennywise.service import (
    accounts,
    analytics,
    categories,
    chat,
    imports,
    insights,
    transactions,
)
from appfleet.apps.pennywise.service._transactions import Filters
from appfleet.core.deps import DatabaseDep, DbSession
from appfleet.core.idempotency.deps import Idempotent
from appfleet.core.pagination import CursorPaging, CursorParams
from appfleet.core.query import QueryModel
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import per_user
from appfleet.platform.realtime.router import socket

JSON = "application/json"
LISTING = QueryModel(TransactionQuery)
REPORT = QueryModel(AnalyticsQuery)
Money = Annotated[Decimal | None, Query(ge=0, max_digits=16)]


def router() -> APIRouter:
    api = app_router()

    @api.get("/account", tags=["account"])
    async def read_account(owner: OwnerDep, ledger: LedgerDep, session: DbSession) -> AccountRead:
        """Your currency (USD until you choose)."""
        return AccountRead(currency=await accounts.currency_of(session, ledger, owner.user_id))

    @api.put("/account", tags=["account"])
    async def update_account(
        body: AccountUpdate, owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> AccountRead:
        """Choose your currency (ISO 4217), before your first transaction."""
        return AccountRead(
            currency=await accounts.set_currency(session, ledger, owner, body.currency)
        )

    @api.post(
        "/transactions",
        status_code=201,
        tags=["transactions"],
        dependencies=[Idempotent],
        response_model=TransactionRead,
        responses={200: {"model": TransactionRead, "description": "A retry: already stored."}},
    )
    async def create_transaction(
        body: TransactionCreate, owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> Response:
        """Record money in or out (`client_id` makes an offline retry the same row)."""
        written = await transactions.create(session, ledger, owner, body)
        return Response(
            written.transaction.model_dump_json(),
            status_code=201 if written.created else 200,
            media_type=JSON,
        )

    @api.get(
        "/transactions",
        tags=["transactions"],
        response_model=TransactionPage,
        openapi_extra=LISTING.openapi(),
    )
    async def list_transactions(request: Request, owner: OwnerDep) -> Response:
        """Yours, newest date first (or `order=asc`), filtered by category, dates, amount
        size, words in the description and type; cursor pages."""
        query = LISTING.parse(request)
        filters = Filters(
            query.category_id,
            query.start,
            query.end,
            query.min_amount,
            query.max_amount,
            query.q,
            query.type,
            ascending=query.order == "asc",
        )
        paging = CursorParams(query.limit, query.cursor)
        state = request.app.state
        body = await transactions.page(state.db, ledger_of(request), owner, filters, paging)
        return Response(body, media_type=JSON)

    @api.get("/transactions/balance", tags=["transactions"], response_model=BalanceRead)
    async def read_balance(
        owner: OwnerDep,
        ledger: LedgerDep,
        session: DbSession,
        as_of: Annotated[date | None, Query(description="Up to and including this date.")] = None,
    ) -> Response:
        """Income minus expenses: now, or as of a date."""
        return Response(await transactions.balance(session, ledger, owner, as_of), media_type=JSON)

    @api.get("/transactions/analytics", tags=["analytics"], openapi_extra=REPORT.openapi())
    async def read_analytics(request: Request, owner: OwnerDep) -> Response:
        """Totals by category and by period, income against expenses, savings rate, top
        descriptions, change against the period before (default range: six periods)."""
        query = REPORT.parse(request)
        body = await analytics.report(
            request.app.state.db, ledger_of(request), owner, query.period, query.start, query.end
        )
        return Response(body, media_type=JSON)

    @api.get("/transactions/{transaction_id}", tags=["transactions"])
    async def read_transaction(row: OwnedTransaction) -> TransactionRead:
        return transactions.read(row)

    @api.put("/transactions/{transaction_id}", tags=["transactions"])
    async def update_transaction(
        body: TransactionUpdate,
        row: OwnedTransaction,
        owner: OwnerDep,
        ledger: LedgerDep,
        session: DbSession,
    ) -> TransactionRead:
        """Change any of amount, type, category, description, date."""
        return await transactions.change(session, ledger, owner, row, body)

    @api.delete("/transactions/{transaction_id}", status_code=204, tags=["transactions"])
    async def delete_transaction(
        row: OwnedTransaction, owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> Response:
        await transactions.remove(session, ledger, owner, row)
        return Response(status_code=204)

    @api.get("/categories", tags=["categories"], response_model=list[CategoryRead])
    async def list_categories(owner: OwnerDep, ledger: LedgerDep, session: DbSession) -> Response:
        """The defaults, then yours, with icon names."""
        return Response(await categories.listing(session, ledger, owner), media_type=JSON)

    @api.post("/categories", status_code=201, tags=["categories"])
    async def create_category(
        body: CategoryCreate, owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> CategoryRead:
        return await categories.create(session, ledger, owner, body)

    @api.put("/categories/{category_id}", tags=["categories"])
    async def update_category(
        body: CategoryUpdate,
        category: OwnedCategory,
        owner: OwnerDep,
        ledger: LedgerDep,
        session: DbSession,
    ) -> CategoryRead:
        """Rename or re-icon one of yours (defaults cannot change: 403)."""
        return await categories.change(session, ledger, owner, category, body)

    @api.delete("/categories/{category_id}", status_code=204, tags=["categories"])
    async def delete_category(
        category: OwnedCategory,
        owner: OwnerDep,
        ledger: LedgerDep,
        session: DbSession,
        reassign_to: Annotated[
            uuid.UUID | None, Query(description="Where its transactions move (needed if any).")
        ] = None,
    ) -> Response:
        """Delete one of yours; one in use needs `reassign_to`."""
        await categories.remove(session, ledger, owner, category, reassign_to)
        return Response(status_code=204)

    @api.get("/chat/messages", tags=["chat"])
    async def list_messages(
        owner: OwnerDep, session: DbSession, paging: CursorPaging
    ) -> MessagePage:
        """Your conversation with the bot, newest first."""
        return MessagePage.model_validate(await chat.history(session, owner, paging))

    @api.post(
        "/chat/messages",
        status_code=201,
        tags=["chat"],
        dependencies=[per_user("chat")],
        responses={
            201: {"model": ChatExchange},
            200: {
                "content": {"text/event-stream": {}},
                "description": "With `Accept: text/event-stream`: events `message` (yours), "
                "`token` (pieces of the answer) and `reply` (the answer, stored).",
            },
        },
    )
    async def send_message(
        body: MessageCreate,
        request: Request,
        owner: OwnerDep,
        ledger: LedgerDep,
        db: DatabaseDep,
    ) -> Response:
        """Ask about your money ("How much did I spend on food last month?"): your message
        and the bot's answer are stored and sent to your devices."""
        if "text/event-stream" in request.headers.get("accept", ""):
            events = chat.ask_streaming(db, ledger, owner, body.content)

            async def stream() -> AsyncIterator[ServerSentEvent]:
                async for kind, data in events:
                    yield ServerSentEvent(data=orjson.dumps(data).decode(), event=kind)

            return EventSourceResponse(stream(), headers={"Cache-Control": "no-store"})
        exchange = await chat.ask(db, ledger, owner, body.content)
        return Response(exchange.model_dump_json(), status_code=201, media_type=JSON)

    # Seed 003's `WS /chat/stream`: the platform's socket on the member's own channel (new
    # messages, balance updates, new insights), from any process.
    api.add_api_websocket_route("/chat/stream", socket)

    @api.post("/import", tags=["import"], dependencies=[Idempotent])
    async def import_local_storage(
        body: ImportFile, owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> ImportResult:
        """The app's local data: categories matched by name, transactions once each; insights
        follow in the background."""
        result = await imports.run(session, ledger, owner, body)
        if result.transactions.created:
            await jobs.queue_for(session, ledger.clock, owner.user_id)
        return result

    @api.get("/insights/spending", tags=["insights"])
    async def spending_insights(
        owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> list[InsightRead]:
        """Category spikes, unusually large expenses, the month-over-month trend."""
        found = await insights.current(session, ledger, owner, insights.SPENDING)
        return [InsightRead.model_validate(i) for i in found]

    @api.get("/insights/recommendations", tags=["insights"])
    async def recommendations(
        owner: OwnerDep, ledger: LedgerDep, session: DbSession
    ) -> list[InsightRead]:
        """Recurring charges to review, and savings-rate advice."""
        found = await insights.current(session, ledger, owner, insights.RECOMMENDATIONS)
        return [InsightRead.model_validate(i) for i in found]

    @api.post(
        "/insights/generate", status_code=201, tags=["insights"], dependencies=[per_user("chat")]
    )
    async def generate_insights(
        owner: OwnerDep, ledger: LedgerDep, db: DatabaseDep
    ) -> list[InsightRead]:
        """Analyse your money now (this replaces your current insights)."""
        return await insights.generate(db, ledger, owner)

    return api
