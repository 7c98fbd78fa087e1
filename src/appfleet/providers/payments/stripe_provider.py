"""Stripe through its official SDK. The SDK's HTTP layer is given our httpx2 client (its own
async client would need httpx 0.x), with its retries on: Stripe's idempotency keys make them
safe, and the SDK knows which errors to retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Mapping
from typing import Any, NoReturn

import httpx2
import stripe

from appfleet.providers.payments.base import (
    BadSignature,
    Checkout,
    CheckoutRequest,
    PaymentsUnavailable,
)


class Httpx2StripeClient(stripe.HTTPClient):
    """The SDK's HTTP client interface over a shared httpx2.AsyncClient (async calls only)."""

    name = "httpx2"

    def __init__(self, http: httpx2.AsyncClient, timeout_s: float) -> None:
        super().__init__()
        self._http, self._timeout = http, timeout_s

    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> NoReturn:
        raise RuntimeError("appfleet calls Stripe asynchronously only")

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        try:
            response = await self._http.request(
                method, url, headers=dict(headers), content=post_data, timeout=self._timeout
            )
        except httpx2.TransportError as exc:
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
                f"Could not reach Stripe ({type(exc).__name__})", should_retry=True
            ) from exc
        return response.content, response.status_code, response.headers

    async def request_stream_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[AsyncIterable[bytes], int, Mapping[str, str]]:
        content, status, response_headers = await self.request_async(
            method, url, headers, post_data
        )

        async def once() -> Any:
            yield content

        return once(), status, response_headers

    async def sleep_async(self, secs: float) -> None:
        """The SDK's wait between retries."""
        await asyncio.sleep(secs)

    async def close_async(self) -> None:
        """The HTTP client is the process's; it is closed with the process."""


class StripeProvider:
    name = "stripe"

    def __init__(
        self, *, api_key: str, api_url: str, http: httpx2.AsyncClient, timeout_s: float
    ) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_url.rstrip("/")},
            http_client=Httpx2StripeClient(http, timeout_s),
            max_network_retries=2,
        )

    def verify_event(self, payload: bytes, signature: str, secret: str) -> dict[str, Any]:
        """Verify Stripe's signature (HMAC-SHA256 over timestamp + body, 5-minute tolerance)."""
        try:
            event = self._client.construct_event(payload, signature, secret)
        except stripe.SignatureVerificationError as exc:
            raise BadSignature(str(exc)) from exc
        except IndexError as exc:  # a Stripe-Signature header without its parts
            raise ValueError("malformed Stripe-Signature header") from exc
        return event.to_dict()

    async def create_customer(self, *, email: str | None, metadata: dict[str, str]) -> str:
        params: dict[str, Any] = {"metadata": metadata}
        if email:
            params["email"] = email
        customer = await self._call(self._client.v1.customers.create_async, params)
        return str(customer["id"])

    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        params: dict[str, Any] = {
            "mode": request.mode,
            "customer": request.customer_id,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "metadata": request.metadata,
            "client_reference_id": request.metadata.get("user_id"),
        }
        if request.mode == "subscription":
            params["line_items"] = [{"price": request.price_id, "quantity": 1}]
            params["subscription_data"] = {"metadata": request.metadata}
            if request.trial_days:
                params["subscription_data"]["trial_period_days"] = request.trial_days
        else:
            params["line_items"] = [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency,
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description},
                    },
                }
            ]
            params["payment_intent_data"] = {"metadata": request.metadata}
        session = await self._call(self._client.v1.checkout.sessions.create_async, params)
        return Checkout(id=str(session["id"]), url=str(session["url"]))

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        params = {"customer": customer_id, "return_url": return_url}
        portal = await self._call(self._client.v1.billing_portal.sessions.create_async, params)
        return str(portal["url"])

    async def expire_checkout(self, checkout_id: str) -> None:
        await self._call(
            lambda p: self._client.v1.checkout.sessions.expire_async(checkout_id, p), {}
        )

    async def change_price(
        self, subscription_id: str, price_id: str, *, prorate: bool
    ) -> dict[str, Any]:
        current = await self._call(
            lambda p: self._client.v1.subscriptions.retrieve_async(subscription_id, p), {}
        )
        item = current["items"]["data"][0]["id"]
        params = {
            "items": [{"id": item, "price": price_id}],
            "proration_behavior": "create_prorations" if prorate else "none",
        }
        updated = await self._call(
            lambda p: self._client.v1.subscriptions.update_async(subscription_id, p), params
        )
        result: dict[str, Any] = updated.to_dict()
        return result

    @staticmethod
    async def _call(method: Any, params: dict[str, Any]) -> Any:
        try:
            return await method(params)
        except stripe.StripeError as exc:
            raise PaymentsUnavailable(f"Stripe: {exc.user_message or exc}") from exc
