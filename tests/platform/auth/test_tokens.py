from __future__ import annotations

import uuid
import warnings
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.auth.tokens import TokenCodec, access_claims, refresh_claims

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
codec = TokenCodec("s" * 48)
claims = access_claims(uuid.uuid4(), "corpfinity", uuid.uuid4(), uuid.uuid4(), NOW, 900)
TOKEN = codec.mint(claims)


def reason_for(token: str, *, app: str = "corpfinity", now: datetime = NOW) -> str:
    with pytest.raises(TokenRejected) as rejected:
        codec.read(token, app=app, expected="access", now=now)
    return str(rejected.value.details["reason"])


def test_round_trip_and_determinism() -> None:
    assert codec.read(TOKEN, app="corpfinity", expected="access", now=NOW) == claims
    assert codec.mint(claims) == TOKEN  # the replay window relies on this


def test_expiry_is_judged_by_the_given_clock() -> None:
    assert reason_for(TOKEN, now=NOW + timedelta(seconds=900)) == "token_expired"
    assert codec.read(TOKEN, app="corpfinity", expected="access", now=NOW + timedelta(seconds=899))


def test_other_app_and_other_type_are_invalid() -> None:
    assert reason_for(TOKEN, app="pennywise") == "token_invalid"
    refresh = codec.mint(
        refresh_claims(claims.user_id, "corpfinity", claims.session_id, uuid.uuid4(), NOW, 3600)
    )
    assert reason_for(refresh) == "token_invalid"


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_algorithm_swaps_are_refused_even_with_the_right_key(algorithm: str) -> None:
    payload = jwt.decode(TOKEN, options={"verify_signature": False})
    with warnings.catch_warnings():  # PyJWT warns that our 32-byte key is short for SHA-384/512
        warnings.simplefilter("ignore")
        swapped = jwt.encode(payload, codec._key, algorithm=algorithm)
    assert reason_for(swapped) == "token_invalid"


def test_none_algorithm_and_malformed_tokens_are_refused() -> None:
    payload = jwt.decode(TOKEN, options={"verify_signature": False})
    header, body, signature = TOKEN.split(".")
    for token in (
        jwt.encode(payload, None, algorithm="none"),
        f"{header}.{body}.",
        f"{header}.{body}",
        f"{header}.{body}.!!!!",
        f"{header}.e30.{signature}",  # another body under the old signature
        "",
        "a.b.c",
    ):
        assert reason_for(token) == "token_invalid", token


def test_a_token_signed_with_another_secret_is_refused() -> None:
    other = TokenCodec("t" * 48).mint(claims)
    assert reason_for(other) == "token_invalid"


def test_missing_claims_are_refused() -> None:
    payload = jwt.decode(TOKEN, options={"verify_signature": False})
    del payload["sid"]
    assert reason_for(jwt.encode(payload, codec._key, algorithm="HS256")) == "token_invalid"


def test_a_remembered_token_is_still_judged_on_every_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh = TokenCodec("s" * 48)
    assert fresh.read(TOKEN, app="corpfinity", expected="access", now=NOW) == claims
    with pytest.raises(TokenRejected, match="expired"):
        fresh.read(TOKEN, app="corpfinity", expected="access", now=NOW + timedelta(hours=1))
    for app, expected in (("pennywise", "access"), ("corpfinity", "refresh")):
        with pytest.raises(TokenRejected):
            fresh.read(TOKEN, app=app, expected=expected, now=NOW)  # type: ignore[arg-type]
    # Bounded: the oldest remembered token makes room.
    monkeypatch.setattr("appfleet.platform.auth.tokens.VERIFIED_CACHE_SIZE", 2)
    others = [
        fresh.mint(access_claims(uuid.uuid4(), "corpfinity", uuid.uuid4(), uuid.uuid4(), NOW, 900))
        for _ in range(3)
    ]
    for token in others:
        fresh.read(token, app="corpfinity", expected="access", now=NOW)
    assert len(fresh._verified) == 2 and TOKEN not in fresh._verified
