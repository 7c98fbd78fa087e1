"""Billing on Stripe: the official SDK against a local fake of Stripe's API, and webhook
deliveries signed with Stripe's scheme — bad signatures, duplicates, events out of order,
failures retried and replayed."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.core.errors import Conflict
from appfleet.core.settings import Settings
from appfleet.main import create_app
from appfleet.platform.billing.events import replay
from appfleet.platform.billing.models import (
    CheckoutSession,
    Customer,
    Invoice,
    Subscription,
    WebhookEvent,
)
from appfleet.runtime.jobs.models import Job
from tests.fixtures import probe
from tests.fixtures.accounts import emails_to, stored
from tests.fixtures.app import serve
from tests.fixtures.stripe import API_KEY, WEBHOOK_SECRET, FakeStripe, event, signature_header
from tests.platform.billing.flows import BILLING, checkout, member, new_order, settle, subscription

pytestmark = pytest.mark.anyio
PRO_PRICE, COACH_PRICE = "price_1ProMonthly", "price_1CoachMonthly"
PLANS = {
    "pro": {"display_name": "Pro", "amount_cents": 999, "level": 1, "stripe_price_id": PRO_PRICE},
    "coach": {
        "display_name": "Coach",
        "amount_cents": 2999,
        "level": 2,
        "stripe_price_id": COACH_PRICE,
    },
}
T0 = 1_772_971_200  # 2026-03-08 12:00 UTC, the test clock's now


@pytest.fixture
def stripe_app(settings: Settings, clock: FixedClock, stripe_api: FakeStripe) -> FastAPI:
    configured = Settings(
        **{
            **settings.model_dump(),
            "billing": {
                "provider": "stripe",
                "stripe_secret_key": API_KEY,
                "stripe_webhook_secret": WEBHOOK_SECRET,
                "stripe_api_url": stripe_api.url,
            },
            "app": {"probe": {"plans": PLANS}},
        }
    )
    return create_app(configured, clock=clock, manifests=[*MANIFESTS, probe.manifest])


@pytest.fixture
async def client(stripe_app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with serve(stripe_app) as c:
        yield c


async def deliver(
    client: httpx2.AsyncClient, payload: dict[str, Any], **sign: Any
) -> httpx2.Response:
    body = json.dumps(payload).encode()
    headers = {
        "Stripe-Signature": signature_header(body, **sign),
        "Content-Type": "application/json",
    }
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def customer_of(app: FastAPI) -> str:
    [row] = await stored(app, Customer)
    return str(row.customer_id)


def subscription_obj(
    customer: str,
    *,
    status: str = "active",
    price: str = PRO_PRICE,
    end: int = T0 + 2_678_400,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "trial_end": None,
        "metadata": {},
        # Newer API versions keep the period on the items.
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "price": {"id": price},
                    "current_period_start": T0,
                    "current_period_end": end,
                }
            ],
        },
        **extra,
    }


def invoice_obj(customer: str, invoice_id: str = "in_1", **extra: Any) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "currency": "usd",
        "amount_paid": 999,
        "amount_due": 999,
        "hosted_invoice_url": f"https://invoice.stripe.test/i/{invoice_id}",
        "parent": {"subscription_details": {"subscription": "sub_1"}},
        "lines": {"data": [{"description": "1 × Pro", "period": {"end": T0 + 2_678_400}}]},
        **extra,
    }


async def subscribed(client: httpx2.AsyncClient, app: FastAPI) -> tuple[dict[str, str], str]:
    """A member with a checkout done and Stripe's subscription events delivered."""
    auth = await member(client)
    await checkout(client, auth, plan="pro")
    customer = await customer_of(app)
    await deliver(client, event("customer.subscription.created", subscription_obj(customer), T0))
    await settle(app)
    return auth, customer


async def test_checkout_creates_the_customer_once_and_sends_the_price(
    client: httpx2.AsyncClient, stripe_app: FastAPI, stripe_api: FakeStripe
) -> None:
    auth = await member(client)
    first = await checkout(client, auth, plan="pro")
    assert first["url"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    second = await checkout(client, auth, plan="coach")
    assert second["id"] != first["id"]
    [created] = stripe_api.of("/v1/customers")
    assert created["form"]["email"] == "ann@example.com"
    assert created["form"]["metadata"]["app"] == "probe"
    sessions = stripe_api.of("/v1/checkout/sessions")
    assert [s["form"]["line_items"][0]["price"] for s in sessions] == [PRO_PRICE, COACH_PRICE]
    form = sessions[0]["form"]
    assert form["mode"] == "subscription"
    assert form["customer"] == (await customer_of(stripe_app))
    assert form["subscription_data"]["metadata"]["plan"] == "pro"
    assert "result=success" in form["success_url"] and "result=cancel" in form["cancel_url"]
    # The SDK makes every POST idempotent, so its retries never create a second customer.
    assert all(r["idempotency_key"] for r in stripe_api.requests)


async def test_an_order_checkout_sends_its_priced_line(
    client: httpx2.AsyncClient, stripe_api: FakeStripe
) -> None:
    auth = await member(client)
    order = await new_order(client, auth, 1250)
    await checkout(client, auth, order_id=order)
    [session] = stripe_api.of("/v1/checkout/sessions")
    line = session["form"]["line_items"][0]
    assert session["form"]["mode"] == "payment"
    assert line["price_data"]["unit_amount"] == "1250" and line["price_data"]["currency"] == "usd"
    assert session["form"]["payment_intent_data"]["metadata"]["order_id"] == order


async def test_stripe_down_is_a_503_and_nothing_is_stored(
    client: httpx2.AsyncClient, stripe_app: FastAPI, stripe_api: FakeStripe
) -> None:
    auth = await member(client)
    stripe_api.status = 500
    response = await client.post(f"{BILLING}/checkout-session", json={"plan": "pro"}, headers=auth)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert await stored(stripe_app, CheckoutSession) == []
    assert await stored(stripe_app, Customer) == []


async def test_a_signed_event_is_stored_then_processed(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth = await member(client)
    await checkout(client, auth, plan="pro")
    customer = await customer_of(stripe_app)
    response = await deliver(
        client, event("customer.subscription.created", subscription_obj(customer), T0)
    )
    assert response.status_code == 200 and response.json() == {"received": True, "duplicate": False}
    [stored_event] = await stored(stripe_app, WebhookEvent)
    assert stored_event.status == "pending"  # acknowledged before any processing
    await settle(stripe_app)
    now = await subscription(client, auth)
    assert now["plan"] == "pro" and now["status"] == "active"
    assert now["current_period_end"].startswith("2026-04-08")


@pytest.mark.parametrize(
    "sign",
    [
        {"secret": "whsec_wrong"},
        {"at": int(time.time()) - 600},  # older than Stripe's five-minute tolerance
    ],
)
async def test_a_bad_signature_is_a_400_and_changes_nothing(
    client: httpx2.AsyncClient, stripe_app: FastAPI, sign: dict[str, Any]
) -> None:
    response = await deliver(client, event("invoice.paid", invoice_obj("cus_x"), T0), **sign)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["reason"] == "bad_signature"
    assert await stored(stripe_app, WebhookEvent) == []


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=00", "t=1,v1="])
async def test_malformed_signature_headers_are_400s(
    client: httpx2.AsyncClient, header: str
) -> None:
    response = await client.post(
        "/webhooks/stripe", content=b"{}", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400


async def test_a_signed_body_that_is_not_an_event_is_a_400(client: httpx2.AsyncClient) -> None:
    for body in (b"not json", b'{"id": "evt_1"}'):
        headers = {"Stripe-Signature": signature_header(body)}
        response = await client.post("/webhooks/stripe", content=body, headers=headers)
        assert response.status_code == 400, body


async def test_duplicate_deliveries_are_processed_once(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth, customer = await subscribed(client, stripe_app)
    paid = event("invoice.paid", invoice_obj(customer), T0 + 5)
    assert (await deliver(client, paid)).json()["duplicate"] is False
    assert (await deliver(client, paid)).json()["duplicate"] is True
    await settle(stripe_app)
    assert (await deliver(client, paid)).json()["duplicate"] is True  # after processing, too
    await settle(stripe_app)
    assert len(await emails_to(stripe_app, "ann@example.com", "payment_receipt")) == 1
    [invoice] = await stored(stripe_app, Invoice)
    assert (invoice.status, invoice.amount_cents, invoice.provider_subscription_id) == (
        "paid",
        999,
        "sub_1",
    )
    # The same invoice in a second event (Stripe sends invoice.paid and others) is one receipt.
    await deliver(client, event("invoice.paid", invoice_obj(customer), T0 + 6))
    await settle(stripe_app)
    assert len(await emails_to(stripe_app, "ann@example.com", "payment_receipt")) == 1


async def test_an_older_event_never_moves_a_subscription_backwards(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth, customer = await subscribed(client, stripe_app)
    upgraded = subscription_obj(customer, price=COACH_PRICE)
    stale = subscription_obj(customer, status="past_due")
    await deliver(client, event("customer.subscription.updated", upgraded, T0 + 100))
    await deliver(client, event("customer.subscription.updated", stale, T0 + 50))
    await settle(stripe_app)
    now = await subscription(client, auth)  # whichever the jobs processed first
    assert now["plan"] == "coach" and now["status"] == "active"
    later = event("customer.subscription.updated", stale, T0 + 60)
    await deliver(client, later)
    await settle(stripe_app)
    assert (await subscription(client, auth))["status"] == "active"
    [ignored] = [e for e in await stored(stripe_app, WebhookEvent) if e.id == later["id"]]
    assert (ignored.status, ignored.outcome) == ("ignored", "older than the state recorded")


async def test_a_canceled_subscription_never_comes_back(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth, customer = await subscribed(client, stripe_app)
    deleted = subscription_obj(customer, status="canceled")
    await deliver(client, event("customer.subscription.deleted", deleted, T0 + 100))
    # Same second, delivered later: Stripe's clock cannot order them, the rule can.
    await deliver(
        client, event("customer.subscription.updated", subscription_obj(customer), T0 + 100)
    )
    await settle(stripe_app)
    now = await subscription(client, auth)
    assert now["plan"] == "free" and now["status"] == "canceled"


async def test_events_arriving_before_the_checkout_completed_still_apply(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth = await member(client)
    await checkout(client, auth, plan="pro")
    customer = await customer_of(stripe_app)
    # The invoice first, the subscription after it: the receipt does not wait for either.
    await deliver(client, event("invoice.paid", invoice_obj(customer), T0 + 1))
    await deliver(client, event("customer.subscription.created", subscription_obj(customer), T0))
    await settle(stripe_app)
    assert (await subscription(client, auth))["plan"] == "pro"
    [receipt] = await emails_to(stripe_app, "ann@example.com", "payment_receipt")
    assert "April 8, 2026" in receipt.payload["text"]


async def test_a_failed_payment_means_past_due_and_an_email_then_paid_means_active(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth, customer = await subscribed(client, stripe_app)
    failed = invoice_obj(customer, "in_2", amount_paid=0, next_payment_attempt=T0 + 3 * 86400)
    await deliver(client, event("invoice.payment_failed", failed, T0 + 10))
    await settle(stripe_app)
    assert (await subscription(client, auth))["status"] == "past_due"
    [notice] = await emails_to(stripe_app, "ann@example.com", "payment_failed")
    assert "https://invoice.stripe.test/i/in_2" in notice.payload["text"]
    assert "March 11, 2026" in notice.payload["text"]

    await deliver(client, event("invoice.paid", invoice_obj(customer, "in_2"), T0 + 20))
    await settle(stripe_app)
    assert (await subscription(client, auth))["status"] == "active"
    [invoice] = [i for i in await stored(stripe_app, Invoice) if i.provider_invoice_id == "in_2"]
    assert invoice.status == "paid"
    # A failure reported after the invoice was paid (out of order) changes nothing.
    await deliver(client, event("invoice.payment_failed", failed, T0 + 15))
    await settle(stripe_app)
    assert (await subscription(client, auth))["status"] == "active"
    assert len(await emails_to(stripe_app, "ann@example.com", "payment_failed")) == 1


async def test_an_order_paid_by_payment_intent_is_settled_once(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    auth = await member(client)
    order = await new_order(client, auth, 1250)
    page = await checkout(client, auth, order_id=order)
    customer = await customer_of(stripe_app)
    metadata = {"app": "probe", "user_id": "ignored-when-the-customer-is-known", "order_id": order}
    intent = {
        "id": "pi_1",
        "object": "payment_intent",
        "customer": customer,
        "amount_received": 1250,
        "currency": "usd",
        "metadata": metadata,
    }
    session = {
        "id": page["id"],
        "object": "checkout.session",
        "mode": "payment",
        "customer": customer,
        "payment_status": "paid",
        "amount_total": 1250,
        "currency": "usd",
        "payment_intent": "pi_1",
        "metadata": metadata,
    }
    await deliver(client, event("payment_intent.succeeded", intent, T0 + 1))
    await deliver(client, event("checkout.session.completed", session, T0 + 1))
    await settle(stripe_app)
    [row] = await stored(stripe_app, probe.ProbeOrder)
    assert (row.status, row.paid_cents, row.times_paid) == ("paid", 1250, 1)
    [checkout_row] = await stored(stripe_app, CheckoutSession)
    assert checkout_row.status == "complete"


async def test_events_of_strangers_are_ignored_not_retried(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    await member(client)
    await deliver(
        client, event("customer.subscription.created", subscription_obj("cus_unknown"), T0)
    )
    await deliver(client, event("charge.refunded", {"id": "ch_1"}, T0))
    await settle(stripe_app)
    outcomes = {e.type: (e.status, e.outcome) for e in await stored(stripe_app, WebhookEvent)}
    assert outcomes == {
        "customer.subscription.created": ("ignored", "no such app or user"),
        "charge.refunded": ("ignored", "not handled"),
    }
    assert await stored(stripe_app, Subscription) == []


async def test_a_failing_event_stays_pending_and_can_be_replayed(
    client: httpx2.AsyncClient, stripe_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = await member(client)
    order = await new_order(client, auth, 500)
    await checkout(client, auth, order_id=order)
    customer = await customer_of(stripe_app)
    metadata = {"order_id": order}
    intent = {
        "id": "pi_9",
        "customer": customer,
        "amount_received": 500,
        "currency": "usd",
        "metadata": metadata,
    }
    monkeypatch.setattr(probe, "FAILING_ORDERS", {order})
    await deliver(client, event("payment_intent.succeeded", intent, T0))
    await settle(stripe_app)
    [pending] = await stored(stripe_app, WebhookEvent)
    assert pending.status == "pending"
    [job] = [j for j in await stored(stripe_app, Job) if j.task == "billing.process_event"]
    assert job.status == "queued" and "cannot settle" in (job.last_error or "")
    [row] = await stored(stripe_app, probe.ProbeOrder)
    assert row.status == "pending"  # nothing of the failed run was kept

    monkeypatch.setattr(probe, "FAILING_ORDERS", set())
    async with unit_of_work(stripe_app.state.db) as session:
        await replay(session, stripe_app.state.clock, pending.id)
    await settle(stripe_app)
    [row] = await stored(stripe_app, probe.ProbeOrder)
    assert (row.status, row.times_paid) == ("paid", 1)
    async with unit_of_work(stripe_app.state.db) as session:
        with pytest.raises(Conflict):
            await replay(session, stripe_app.state.clock, pending.id)


async def test_change_plan_prorates_through_stripe(
    client: httpx2.AsyncClient, stripe_app: FastAPI, stripe_api: FakeStripe
) -> None:
    auth, customer = await subscribed(client, stripe_app)
    stripe_api.subscription("sub_1", customer, PRO_PRICE)
    response = await client.post(f"{BILLING}/change-plan", json={"plan": "coach"}, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["plan"] == "coach"
    [update] = stripe_api.of("/v1/subscriptions/sub_1")
    assert update["form"]["items"][0] == {"id": "si_sub_1", "price": COACH_PRICE}
    assert update["form"]["proration_behavior"] == "create_prorations"
    flat = await client.post(
        f"{BILLING}/change-plan", json={"plan": "pro", "prorate": False}, headers=auth
    )
    assert flat.status_code == 200
    assert stripe_api.of("/v1/subscriptions/sub_1")[-1]["form"]["proration_behavior"] == "none"


async def test_the_portal_url_comes_from_stripe(
    client: httpx2.AsyncClient, stripe_app: FastAPI, stripe_api: FakeStripe
) -> None:
    auth, _ = await subscribed(client, stripe_app)
    response = await client.get(f"{BILLING}/customer-portal", headers=auth)
    assert response.json()["url"].startswith("https://billing.stripe.test/p/session/bps_")
    [portal] = stripe_api.of("/v1/billing_portal/sessions")
    assert "result=portal" in portal["form"]["return_url"]


async def test_another_users_subscription_is_not_yours(
    client: httpx2.AsyncClient, stripe_app: FastAPI
) -> None:
    await subscribed(client, stripe_app)
    bob = await member(client, "bob@example.com")
    assert (await subscription(client, bob))["plan"] == "free"
    assert (await client.get("/api/v1/probe/pro-feature", headers=bob)).status_code == 403
    response = await client.post(f"{BILLING}/change-plan", json={"plan": "coach"}, headers=bob)
    assert response.status_code == 409
    async with unit_of_work(stripe_app.state.db, write=False) as session:
        plans = list(await session.scalars(select(Subscription.plan)))
    assert plans == ["pro"]


async def test_the_webhook_is_404_when_stripe_is_not_configured(
    app: FastAPI,
) -> None:
    async with serve(app) as sandbox_client:
        body = b"{}"
        response = await sandbox_client.post(
            "/webhooks/stripe", content=body, headers={"Stripe-Signature": signature_header(body)}
        )
    assert response.status_code == 404
