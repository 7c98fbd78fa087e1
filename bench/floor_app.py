"""The floor: appfleet's write and login shapes on FastAPI and asyncpg alone.

No ORM, no middleware, no cache, no rate limiter, no audit log: hand-written SQL on a pool. What
this serves is the most any FastAPI + PostgreSQL backend could serve for the same work on the
same core, so appfleet's write and login figures are read against it as well as against the
bare endpoint. Tables are prefixed `floor_` and emptied at start. Scaled mode only.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

import anyio
import asyncpg
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field

SECRET = "floor-" + "x" * 40
EMAIL = "floor@bench.example"
PASSWORD = "bench password 2026"
# appfleet's defaults (OWASP's minimum for argon2id), so both hash the same work.
HASHER = PasswordHasher(time_cost=5, memory_cost=7_168, parallelism=1)
SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_completion (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, challenge_id text NOT NULL,
    completed_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS floor_completion_user ON floor_completion (user_id, challenge_id);
CREATE TABLE IF NOT EXISTS floor_progress (
    user_id uuid PRIMARY KEY, total int NOT NULL, last_day date NOT NULL);
CREATE TABLE IF NOT EXISTS floor_transaction (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, category_id uuid NOT NULL,
    amount_minor bigint NOT NULL, occurred_on date NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS floor_transaction_user ON floor_transaction (user_id, occurred_on);
CREATE TABLE IF NOT EXISTS floor_account (
    id uuid PRIMARY KEY, email text UNIQUE NOT NULL, password_hash text NOT NULL);
CREATE TABLE IF NOT EXISTS floor_session (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS floor_refresh (
    jti uuid PRIMARY KEY, session_id uuid NOT NULL, expires_at timestamptz NOT NULL);
TRUNCATE floor_completion, floor_progress, floor_transaction, floor_account, floor_session,
    floor_refresh;
"""


class State:
    pool: asyncpg.Pool
    hashing: anyio.CapacityLimiter


state = State()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("FLOOR_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres")
    state.pool = await asyncpg.create_pool(url, min_size=4, max_size=20)
    state.hashing = anyio.CapacityLimiter(len(os.sched_getaffinity(0)) or 1)
    async with state.pool.acquire() as connection:
        await connection.execute(SCHEMA)
        await connection.execute(
            "INSERT INTO floor_account VALUES ($1, $2, $3)",
            uuid.uuid4(),
            EMAIL,
            HASHER.hash(PASSWORD),
        )
    yield
    await state.pool.close()


app = FastAPI(lifespan=lifespan)


class Completion(BaseModel):
    challenge_id: str


class Expense(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    type: Literal["income", "expense"]
    category_id: uuid.UUID


class Login(BaseModel):
    email: str
    password: str


def _mint(subject: uuid.UUID, kind: str, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(subject), "aud": "corpfinity", "typ": kind, "jti": str(uuid.uuid4())}
    return jwt.encode(claims | {"iat": now, "exp": now + ttl}, SECRET, algorithm="HS256")


@app.get("/")
async def root() -> dict[str, str]:
    return {"status": "ok", "service": "floor"}


@app.post("/token")
async def token() -> dict[str, str]:
    """A bearer token for a new user id (the bench's callers)."""
    return {"access_token": _mint(uuid.uuid4(), "access", timedelta(hours=1))}


def _caller(authorization: str) -> uuid.UUID:
    try:
        token = authorization.removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="corpfinity")
    except jwt.PyJWTError as error:
        raise HTTPException(401) from error
    return uuid.UUID(claims["sub"])


@app.post("/transactions", status_code=201)
async def record(body: Expense, authorization: Annotated[str, Header()]) -> dict[str, object]:
    """pennywise's expense: one row, the amount in minor units, in its own transaction."""
    user, now, row = _caller(authorization), datetime.now(UTC), uuid.uuid4()
    minor = int(body.amount * 100) * (-1 if body.type == "expense" else 1)
    async with state.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "INSERT INTO floor_transaction VALUES ($1, $2, $3, $4, $5, $6)",
            row,
            user,
            body.category_id,
            minor,
            now.date(),
            now,
        )
    return {"id": str(row), "amount": str(body.amount), "type": body.type, "created_at": now}


@app.post("/complete", status_code=201)
async def complete(body: Completion, authorization: Annotated[str, Header()]) -> dict[str, object]:
    """corpfinity's completion: insert it, advance the progress row, count the challenge."""
    user, now, completion = _caller(authorization), datetime.now(UTC), uuid.uuid4()
    async with state.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "INSERT INTO floor_completion VALUES ($1, $2, $3, $4)",
            completion,
            user,
            body.challenge_id,
            now,
        )
        total = await connection.fetchval(
            "INSERT INTO floor_progress VALUES ($1, 1, $2) ON CONFLICT (user_id) DO UPDATE"
            " SET total = floor_progress.total + 1, last_day = excluded.last_day RETURNING total",
            user,
            now.date(),
        )
        same = await connection.fetchval(
            "SELECT count(*) FROM floor_completion WHERE user_id = $1 AND challenge_id = $2",
            user,
            body.challenge_id,
        )
    return {"id": str(completion), "completed_at": now.isoformat(), "total": total, "same": same}


@app.post("/login")
async def login(body: Login) -> dict[str, object]:
    """Read the hash, verify it off the loop (one hash per core), store a session and its
    refresh token, answer a pair."""
    row = await state.pool.fetchrow(
        "SELECT id, password_hash FROM floor_account WHERE email = $1", body.email.lower()
    )
    if row is None:
        raise HTTPException(401)
    try:
        await anyio.to_thread.run_sync(
            HASHER.verify, row["password_hash"], body.password, limiter=state.hashing
        )
    except VerifyMismatchError as error:
        raise HTTPException(401) from error
    session, refresh, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    async with state.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "INSERT INTO floor_session VALUES ($1, $2, $3)", session, row["id"], now
        )
        await connection.execute(
            "INSERT INTO floor_refresh VALUES ($1, $2, $3)", refresh, session, now
        )
    return {
        "access_token": _mint(row["id"], "access", timedelta(minutes=15)),
        "refresh_token": _mint(row["id"], "refresh", timedelta(days=30)),
        "token_type": "bearer",
    }
