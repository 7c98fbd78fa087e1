"""Benchmark scenarios: one request shape each, measured against the bare endpoint.

A scenario may `prepare` itself against the running server (sign a user up, fetch a token) and
return the concrete request to load. Each issue that adds endpoints adds its scenarios here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx2

from floor_app import EMAIL as FLOOR_EMAIL
from floor_app import PASSWORD
from seed import seed_board, seed_ledger, seed_search, seed_wall


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect_status: int = 200
    prepare: Callable[[Scenario, str], Scenario] | None = None
    # Bulk data written into the server's database (by URL) before `prepare`.
    seed: Callable[[str], None] | None = None
    # Like `prepare`, for scenarios that seed rows of the user they sign in: (base, db URL).
    setup: Callable[[Scenario, str, str], Scenario] | None = None
    # "app"; "unlimited": the same server with rate limiting off (to price the limiter);
    # "floor": bench/floor_app.py, the same work on FastAPI and asyncpg alone (scaled mode).
    server: str = "app"
    # Bearer tokens the load takes in turn: many users, as a real fleet has, not one user
    # hammering their own rows (which measures lock waits on those rows).
    callers: tuple[str, ...] = ()

    def ready(self, base: str, database_url: str) -> Scenario:
        if self.seed is not None:
            self.seed(database_url)
        if self.setup is not None:
            return self.setup(self, base, database_url)
        return self.prepare(self, base) if self.prepare else self


def _account(base: str, email: str, app: str = "corpfinity") -> dict[str, str]:
    """Sign `email` up in `app` (or in again, when a previous run left it)."""
    payload = {"email": email, "password": PASSWORD, "name": "Bench"}
    response = httpx2.post(f"{base}/api/v1/{app}/auth/register", json=payload, timeout=10)
    if response.status_code == 409:
        response = httpx2.post(
            f"{base}/api/v1/{app}/auth/login",
            json={"email": email, "password": PASSWORD},
            timeout=10,
        )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def _with_token(scenario: Scenario, base: str) -> Scenario:
    token = _account(base, "me@bench.example")["access_token"]
    return replace(scenario, headers={"Authorization": f"Bearer {token}"})


def _login_body(scenario: Scenario, base: str) -> Scenario:
    _account(base, "login@bench.example")
    body = json.dumps({"email": "login@bench.example", "password": PASSWORD}).encode()
    return replace(scenario, body=body, headers={"Content-Type": "application/json"})


BENCH_USERS = 64


def _completion(scenario: Scenario, base: str) -> Scenario:
    """64 bench users completing a catalog challenge, in turn (each request inserts a
    completion, advances that user's streak and checks the achievements it could unlock)."""
    tokens = tuple(
        _account(base, f"complete-{n}@bench.example")["access_token"] for n in range(BENCH_USERS)
    )
    body = json.dumps({"challenge_id": "box-breathing"}).encode()
    return replace(
        scenario, body=body, headers={"Content-Type": "application/json"}, callers=tokens
    )


def _history(scenario: Scenario, base: str) -> Scenario:
    """A bench user with 1,000 completions stored, reading the first history page."""
    token = _account(base, "history@bench.example")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=base, headers=auth, timeout=10) as client:
        stored = client.get("/api/v1/corpfinity/users/me/stats").json()["total_challenges"]
        for n in range(stored, 1000):
            done = client.post(
                "/api/v1/corpfinity/challenges/complete",
                json={"title": f"Bench challenge {n}", "goal_category": "focus"},
            )
            done.raise_for_status()
    return replace(scenario, headers=auth)


def _board_member(scenario: Scenario, base: str) -> Scenario:
    """A Lowkey Mode user with a few scores of their own, among the seeded sitters."""
    token = _account(base, "board@bench.example", "lowkeymode")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC).isoformat()
    for level in (40, 45, 50):
        body = {"db_level": level, "recorded_at": now}
        url = f"{base}/api/v1/lowkeymode/quiet-score"
        httpx2.post(url, json=body, headers=auth, timeout=10).raise_for_status()
    return replace(scenario, headers=auth)


def _wall_reader(scenario: Scenario, base: str) -> Scenario:
    """A FitNudge user reading the first page of the 10,000-post wall."""
    token = _account(base, "wall@bench.example", "fitnudge")["access_token"]
    return replace(scenario, headers={"Authorization": f"Bearer {token}"})


def _bookkeeper(scenario: Scenario, base: str, database_url: str) -> Scenario:
    """A PennyWise member with 10,000 transactions over two years."""
    token = _account(base, "ledger@bench.example", "pennywise")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    me = httpx2.get(f"{base}/api/v1/pennywise/users/me", headers=auth, timeout=10).json()
    seed_ledger(database_url, uuid.UUID(me["id"]))
    return replace(scenario, headers=auth)


FOOD = str(uuid.uuid5(uuid.UUID("7b0c4c52-5c7e-4f2a-9a53-4d3f2f1d6a10"), "Food & Dining"))


def _spenders(scenario: Scenario, base: str) -> Scenario:
    """64 PennyWise members recording an expense, in turn."""
    tokens = tuple(
        _account(base, f"spend-{n}@bench.example", "pennywise")["access_token"]
        for n in range(BENCH_USERS)
    )
    body = json.dumps({"amount": "4.50", "type": "expense", "category_id": FOOD}).encode()
    return replace(
        scenario, body=body, headers={"Content-Type": "application/json"}, callers=tokens
    )


def _floor_callers(scenario: Scenario, base: str) -> Scenario:
    """64 floor users, each sending the body of the appfleet scenario it mirrors."""
    tokens = tuple(
        httpx2.post(f"{base}/token", timeout=10).json()["access_token"] for _ in range(BENCH_USERS)
    )
    body = (
        {"challenge_id": "box-breathing"}
        if scenario.path == "/complete"
        else {"amount": "4.50", "type": "expense", "category_id": FOOD}
    )
    return replace(
        scenario,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        callers=tokens,
    )


def _floor_login(scenario: Scenario, base: str) -> Scenario:
    body = json.dumps({"email": FLOOR_EMAIL, "password": PASSWORD}).encode()
    return replace(scenario, body=body, headers={"Content-Type": "application/json"})


SCENARIOS: list[Scenario] = [
    Scenario("app_info", "/api/v1/corpfinity/"),
    Scenario("health", "/health"),
    Scenario("users_me", "/api/v1/corpfinity/users/me", prepare=_with_token),
    Scenario(
        "users_me_nolimit", "/api/v1/corpfinity/users/me", prepare=_with_token, server="unlimited"
    ),
    Scenario("login", "/api/v1/corpfinity/auth/login", method="POST", prepare=_login_body),
    Scenario(
        "corpfinity-complete",
        "/api/v1/corpfinity/challenges/complete",
        method="POST",
        expect_status=201,
        prepare=_completion,
    ),
    Scenario("corpfinity-history", "/api/v1/corpfinity/challenges/history", prepare=_history),
    # The shop's first page: 30 of the 36 seeded products, anonymous, from the cache.
    Scenario("healthindex-catalog", "/api/v1/healthindex/products?limit=30"),
    # This week's top 20 of 5,000 sitters (100,000 scores) and the caller's own rank.
    Scenario(
        "lowkeymode-leaderboard",
        "/api/v1/lowkeymode/leaderboard?period=week&limit=20",
        prepare=_board_member,
        seed=seed_board,
    ),
    # The wall's first 20 of 10,000 posts, with like counts and the reader's own likes.
    Scenario(
        "fitnudge-feed", "/api/v1/fitnudge/posts?limit=20", prepare=_wall_reader, seed=seed_wall
    ),
    # Two words, the last as a prefix, over 100,000 posts (the wall's and 90,000 more).
    Scenario(
        "fitnudge-search",
        "/api/v1/fitnudge/search/posts?q=leg%20da",
        prepare=_wall_reader,
        seed=seed_search,
    ),
    # The first page of a member's 10,000 transactions (by date, no cache).
    Scenario("pennywise-transactions", "/api/v1/pennywise/transactions", setup=_bookkeeper),
    # The month report over the same ledger (computed in SQL, cached ten minutes).
    Scenario(
        "pennywise-analytics",
        "/api/v1/pennywise/transactions/analytics?period=month",
        setup=_bookkeeper,
    ),
    # A write: category check, insert, cache and balance events after commit.
    Scenario(
        "pennywise-create",
        "/api/v1/pennywise/transactions",
        method="POST",
        expect_status=201,
        prepare=_spenders,
    ),
    # Floors for three shapes above: the same statements (and hash) without appfleet.
    Scenario(
        "floor-complete",
        "/complete",
        method="POST",
        expect_status=201,
        prepare=_floor_callers,
        server="floor",
    ),
    Scenario(
        "floor-create",
        "/transactions",
        method="POST",
        expect_status=201,
        prepare=_floor_callers,
        server="floor",
    ),
    Scenario("floor-login", "/login", method="POST", prepare=_floor_login, server="floor"),
]
