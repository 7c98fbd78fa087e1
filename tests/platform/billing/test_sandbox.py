"""The default payments mode end to end: checkout on the sandbox's page, Pay or Cancel, the
events through the inbox and the same handlers as Stripe's, the plan in force, receipts, the
portal's controls, one-off orders paid once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.platform.billing.models import Payment, Subscription, WebhookEvent
from appfleet.platform.billing.sandbox import SandboxProvider, add_interval
from tests.fixtures.accounts import emails_to, stored
from tests.fixtures.probe import ProbeOrder
from tests.platform.billing.flows import (
    BILLING,
    checkout,
    member,
    new_order,
    path_of,
    press,
    settle,
    subscription,
)

pytestmark = pytest.mark.anyio


async def subscribe(
    client: httpx2.AsyncClient, app: FastAPI, auth: dict[str, str], plan: str
) -> None:
    page = await checkout(client, auth, plan=plan)
    paid = await press(client, page["url"], "pay")
    assert paid.status_code == 303
    await settle(app)


async def test_paying_on_the_sandbox_page_gives_the_plan(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    auth = await member(client)
    assert (await subscription(client, auth))["plan"] == "free"
    gated = await client.get("/api/v1/probe/pro-feature", headers=auth)
    assert gated.status_code == 403
    assert gated.json()["error"]["details"]["required"] == "pro"

    page = await checkout(client, auth, plan="pro")
    assert page["amount_cents"] == 999 and page["status"] == "open"
    assert urlsplit_path(page["url"]).startswith("/sandbox/checkout/cs_sbx_")
    shown = await client.get(path_of(page["url"]))
    assert shown.status_code == 200
    assert "$9.99" in shown.text and "Pay</button>" in shown.text and "Sandbox" in shown.text
    assert shown.headers["cache-control"] == "no-store"

    paid = await press(client, page["url"], "pay")
    assert paid.status_code == 303
    assert "/checkout/return?app=probe&result=success" in paid.headers["location"]
    back = await client.get(path_of(paid.headers["location"]))
    assert "Payment complete" in back.text
    await settle(app)

    now = await subscription(client, auth)
    assert now["plan"] == "pro" and now["status"] == "active"
    assert now["limits"] == {"projects": 10}
    assert now["current_period_end"].startswith("2026-04-08")
    allowed = await client.get("/api/v1/probe/pro-feature", headers=auth)
    assert allowed.status_code == 200 and allowed.json() == {"plan": "pro", "projects": 10}
    [receipt] = await emails_to(app, "ann@example.com", "payment_receipt")
    assert "$9.99" in receipt.payload["subject"] and "Pro" in receipt.payload["text"]
    assert "April 8, 2026" in receipt.payload["text"]  # the next payment
    uploads = (await client.get("/api/v1/probe/uploads", headers=auth)).json()
    assert uploads["quota_bytes"] == 1024**3  # a paid plan's storage
    exported = (await client.get("/api/v1/probe/users/me/data", headers=auth)).json()["billing"]
    assert [(s["plan"], s["status"]) for s in exported["subscriptions"]] == [("pro", "active")]
    assert [(i["amount_cents"], i["status"]) for i in exported["invoices"]] == [(999, "paid")]
    events = {e.type: e.status for e in await stored(app, WebhookEvent)}
    assert events == {
        "customer.subscription.created": "processed",
        "checkout.session.completed": "processed",
        "invoice.paid": "processed",
    }


def urlsplit_path(url: str) -> str:
    return path_of(url).split("?")[0]


async def test_a_second_press_of_pay_charges_nothing_more(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    page = await checkout(client, auth, plan="pro")
    assert (await press(client, page["url"], "pay")).status_code == 303
    again = await press(client, page["url"], "pay")
    assert again.status_code == 409 and "over" in again.text
    assert (await client.get(path_of(page["url"]))).status_code == 410
    await settle(app)
    assert len(await stored(app, Subscription)) == 1
    assert len(await emails_to(app, "ann@example.com", "payment_receipt")) == 1


async def test_cancel_charges_nothing_and_the_plan_stays_free(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    page = await checkout(client, auth, plan="pro")
    canceled = await press(client, page["url"], "cancel")
    assert canceled.status_code == 303 and "result=cancel" in canceled.headers["location"]
    await settle(app)
    assert (await subscription(client, auth))["plan"] == "free"
    assert (await press(client, page["url"], "pay")).status_code == 409
    assert await stored(app, Subscription) == []


async def test_a_trial_plan_starts_trialing_without_a_charge(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    page = await checkout(client, auth, plan="coach")
    shown = await client.get(path_of(page["url"]))
    assert "Free for 7 days" in shown.text
    await press(client, page["url"], "pay")
    await settle(app)
    now = await subscription(client, auth)
    assert now["plan"] == "coach" and now["status"] == "trialing"
    assert now["trial_end"].startswith("2026-03-15") and now["limits"] == {"projects": -1}
    assert await emails_to(app, "ann@example.com", "payment_receipt") == []  # $0 invoice


async def test_one_subscription_at_a_time_then_change_plan(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    await subscribe(client, app, auth, "pro")
    second = await client.post(f"{BILLING}/checkout-session", json={"plan": "coach"}, headers=auth)
    assert second.status_code == 409
    assert second.json()["error"]["details"]["change_plan"].endswith("/billing/change-plan")
    same = await client.post(f"{BILLING}/change-plan", json={"plan": "pro"}, headers=auth)
    assert same.status_code == 409

    changed = await client.post(f"{BILLING}/change-plan", json={"plan": "coach"}, headers=auth)
    assert changed.status_code == 200, changed.text
    assert changed.json()["plan"] == "coach"
    allowed = await client.get("/api/v1/probe/pro-feature", headers=auth)
    assert allowed.json() == {"plan": "coach", "projects": -1}  # a higher level passes the gate


async def test_change_plan_without_a_subscription_is_a_conflict(
    client: httpx2.AsyncClient,
) -> None:
    auth = await member(client)
    response = await client.post(f"{BILLING}/change-plan", json={"plan": "pro"}, headers=auth)
    assert response.status_code == 409
    assert "checkout" in response.json()["error"]["message"]


async def test_the_portal_cancels_fails_and_renews_like_stripe_would(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    portal_missing = await client.get(f"{BILLING}/customer-portal", headers=auth)
    assert portal_missing.status_code == 409
    await subscribe(client, app, auth, "pro")
    portal = (await client.get(f"{BILLING}/customer-portal", headers=auth)).json()["url"]
    shown = await client.get(path_of(portal))
    assert "Pro" in shown.text and "Cancel at the period end" in shown.text
    [row] = await stored(app, Subscription)
    base = f"{portal}/{row.provider_subscription_id}"

    assert (await press(client, base, "cancel_at_period_end")).status_code == 303
    await settle(app)
    ending = await subscription(client, auth)
    assert ending["plan"] == "pro" and ending["cancel_at_period_end"] is True
    await press(client, base, "resume")
    await settle(app)
    assert (await subscription(client, auth))["cancel_at_period_end"] is False

    await press(client, base, "fail_renewal")
    await settle(app)
    failing = await subscription(client, auth)
    assert failing["status"] == "past_due" and failing["plan"] == "pro"  # kept while retrying
    [notice] = await emails_to(app, "ann@example.com", "payment_failed")
    assert "$9.99" in notice.payload["text"] and "March 11, 2026" in notice.payload["text"]

    await press(client, base, "renew")
    await settle(app)
    renewed = await subscription(client, auth)
    assert renewed["status"] == "active" and renewed["current_period_end"].startswith("2026-05-08")
    assert len(await emails_to(app, "ann@example.com", "payment_receipt")) == 2

    await press(client, base, "cancel_now")
    await settle(app)
    gone = await subscription(client, auth)
    assert gone["plan"] == "free" and gone["status"] == "canceled"
    assert (await client.get("/api/v1/probe/pro-feature", headers=auth)).status_code == 403
    after = await client.get(path_of(portal))
    assert "Renew now" not in after.text  # a canceled subscription has no controls
    refused = await press(client, base, "renew")
    assert refused.status_code == 409


async def test_a_portal_link_is_only_good_for_its_customer_and_an_hour(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    auth = await member(client)
    await subscribe(client, app, auth, "pro")
    portal = (await client.get(f"{BILLING}/customer-portal", headers=auth)).json()["url"]
    customer, expires, signature = urlsplit_path(portal).rsplit("/", 1)[1].split(".")
    forged = f"/sandbox/portal/cus_sbx_someoneelse.{expires}.{signature}"
    assert (await client.get(forged)).status_code == 404
    clock.advance(timedelta(seconds=3601))
    assert (await client.get(path_of(portal))).status_code == 404


async def test_an_order_is_paid_once_at_its_checkout_price(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    order = await new_order(client, auth, 4250)
    first = await checkout(client, auth, order_id=order)
    again = await checkout(client, auth, order_id=order)
    assert again["id"] == first["id"] and first["amount_cents"] == 4250  # one open checkout
    shown = await client.get(path_of(first["url"]))
    assert "$42.50" in shown.text and "Probe order" in shown.text
    await press(client, first["url"], "pay")
    await settle(app)  # checkout.session.completed and payment_intent.succeeded both say "paid"
    [row] = await stored(app, ProbeOrder)
    assert (row.status, row.paid_cents, row.times_paid) == ("paid", 4250, 1)
    assert len(await stored(app, Payment)) == 1
    [receipt] = await emails_to(app, "ann@example.com", "payment_receipt")
    assert "$42.50" in receipt.payload["subject"]
    paid_again = await client.post(
        f"{BILLING}/checkout-session", json={"order_id": order}, headers=auth
    )
    assert paid_again.status_code == 409  # the app refuses to price a paid order


async def test_canceling_an_order_checkout_releases_the_order(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await member(client)
    order = await new_order(client, auth, 1000)
    page = await checkout(client, auth, order_id=order)
    await press(client, page["url"], "cancel")
    await settle(app)
    [row] = await stored(app, ProbeOrder)
    assert row.status == "canceled" and row.times_paid == 0


async def test_nobody_pays_for_someone_elses_order(client: httpx2.AsyncClient) -> None:
    ann = await member(client)
    bob = await member(client, "bob@example.com")
    order = await new_order(client, ann, 1000)
    response = await client.post(
        f"{BILLING}/checkout-session", json={"order_id": order}, headers=bob
    )
    assert response.status_code == 404
    assert (await subscription(client, bob))["plan"] == "free"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"plan": "pro", "order_id": "x"}, 400),
        ({"plan": "Pro!"}, 400),
        ({"plan": "platinum"}, 404),
        ({"plan": "free"}, 404),
        ({"plan": "pro", "extra": 1}, 400),
    ],
)
async def test_bad_checkout_requests_get_clear_errors(
    client: httpx2.AsyncClient, body: dict[str, object], status: int
) -> None:
    auth = await member(client)
    response = await client.post(f"{BILLING}/checkout-session", json=body, headers=auth)
    assert response.status_code == status
    assert response.json()["error"]["code"]
    if status == 404:
        assert response.json()["error"]["details"]["plan"]["allowed"] == ["pro", "coach"]


async def test_billing_needs_a_signed_in_user(client: httpx2.AsyncClient) -> None:
    assert (await client.get(f"{BILLING}/subscription")).status_code == 401
    assert (
        await client.post(f"{BILLING}/checkout-session", json={"plan": "pro"})
    ).status_code == 401
    plans = await client.get(f"{BILLING}/plans")
    assert [p["key"] for p in plans.json()] == ["free", "pro", "coach"]


async def test_sandbox_pages_of_unknown_checkouts_are_404(client: httpx2.AsyncClient) -> None:
    assert (await client.get("/sandbox/checkout/cs_sbx_nope")).status_code == 404
    assert (await client.post("/sandbox/checkout/cs_sbx_nope/pay")).status_code == 404
    assert (await client.get("/sandbox/portal/garbage")).status_code == 404


def test_intervals_follow_the_calendar() -> None:
    jan31 = datetime(2026, 1, 31, 9, tzinfo=UTC)
    assert add_interval(jan31, "month") == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert add_interval(datetime(2028, 1, 31, tzinfo=UTC), "month").day == 29
    assert add_interval(datetime(2026, 12, 15, tzinfo=UTC), "month") == datetime(
        2027, 1, 15, tzinfo=UTC
    )
    assert add_interval(datetime(2028, 2, 29, tzinfo=UTC), "year") == datetime(
        2029, 2, 28, tzinfo=UTC
    )


def test_portal_tokens_reject_tampering(clock: FixedClock) -> None:
    provider = SandboxProvider("http://x", "secret", clock)
    token = provider.portal_token("cus_sbx_1")
    assert provider.portal_customer(token) == "cus_sbx_1"
    assert provider.portal_customer(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert SandboxProvider("http://x", "other", clock).portal_customer(token) is None
    assert provider.portal_customer("no-dots") is None
