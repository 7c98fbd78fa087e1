"""Steps of using PennyWise, shared by its tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2

from appfleet.apps.pennywise.service._common import NAMESPACE
from tests.fixtures.accounts import member_of

PW = "/api/v1/pennywise"


def default_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


FOOD, SALARY, TRANSPORT, OTHER = (
    default_id(n) for n in ("Food & Dining", "Salary", "Transport", "Other")
)


async def member(
    client: httpx2.AsyncClient, email: str = "ann@example.com", timezone: str = "UTC"
) -> dict[str, str]:
    return await member_of(client, "pennywise", email, timezone)


async def record(
    client: httpx2.AsyncClient,
    auth: dict[str, str],
    amount: str,
    kind: str = "expense",
    category_id: str = FOOD,
    **extra: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"{PW}/transactions",
        json={"amount": amount, "type": kind, "category_id": category_id, **extra},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
