"""The Stripe provider on its own: the official SDK through our HTTP client, Stripe's refusals
and an unreachable API both reported as PaymentsUnavailable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from appfleet.providers.payments.base import CheckoutRequest, PaymentsUnavailable
from appfleet.providers.payments.stripe_provider import StripeProvider
from tests.fixtures.servers import free_port
from tests.fixtures.stripe import API_KEY, FakeStripe

pytestmark = pytest.mark.anyio


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient() as client:
        yield client


def provider(http: httpx2.AsyncClient, url: str, key: str = API_KEY) -> StripeProvider:
    return StripeProvider(api_key=key, api_url=url, http=http, timeout_s=2)


async def test_a_customer_and_a_trial_checkout(
    http: httpx2.AsyncClient, stripe_api: FakeStripe
) -> None:
    stripe = provider(http, stripe_api.url)
    customer = await stripe.create_customer(email="a@example.com", metadata={"app": "probe"})
    checkout = await stripe.create_checkout(
        CheckoutRequest(
            mode="subscription",
            customer_id=customer,
            success_url="app://paid",
            cancel_url="app://canceled",
            metadata={"user_id": "u1"},
            price_id="price_1",
            trial_days=14,
        )
    )
    assert checkout.url.endswith(checkout.id)
    form = stripe_api.of("/v1/checkout/sessions")[0]["form"]
    assert form["subscription_data"]["trial_period_days"] == "14"
    assert form["client_reference_id"] == "u1"
    assert stripe_api.requests[0]["version"]  # the SDK pins its API version


async def test_a_wrong_key_is_unavailable_not_a_crash(
    http: httpx2.AsyncClient, stripe_api: FakeStripe
) -> None:
    with pytest.raises(PaymentsUnavailable, match="Invalid API Key"):
        await provider(http, stripe_api.url, key="sk_test_wrong").create_customer(
            email=None, metadata={}
        )
    assert len(stripe_api.requests) == 1  # a 401 is not retried


async def test_an_unreachable_api_is_retried_then_unavailable(http: httpx2.AsyncClient) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PaymentsUnavailable):
        await provider(http, closed).create_customer(email=None, metadata={})


async def test_expiring_a_paid_checkout_is_refused(
    http: httpx2.AsyncClient, stripe_api: FakeStripe
) -> None:
    stripe = provider(http, stripe_api.url)
    await stripe.expire_checkout("cs_test_open")
    assert stripe_api.of("/v1/checkout/sessions/cs_test_open/expire")
    stripe_api.completed.add("cs_test_paid")
    with pytest.raises(PaymentsUnavailable, match="can be expired"):
        await stripe.expire_checkout("cs_test_paid")
