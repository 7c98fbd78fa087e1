"""Search: posts ranked on a fixed corpus (phrase, recency, likes), prefixes as one types,
deleted posts gone, own goals only, people by name without emails, suggestions from popular
searches, people and workout kinds, clicks counted."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.fitnudge.models import SearchTerm
from appfleet.apps.fitnudge.service import search
from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import FN, athlete, goal, signed_in
from tests.fixtures.accounts import stored

pytestmark = pytest.mark.anyio


async def test_posts_rank_by_phrase_recency_and_likes(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ann = await athlete(client)
    fans = []
    for n in range(3):
        clock.advance(timedelta(seconds=20))  # sign-ups are limited per address
        fans.append(await athlete(client, f"fan{n}@example.com"))

    async def say(text: str) -> str:
        made = await client.post(f"{FN}/posts", json={"text": text}, headers=ann)
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    old_phrase = await say("Leg day")
    clock.advance(timedelta(days=40))
    ann = await signed_in(client)
    fans = [await signed_in(client, f"fan{n}@example.com") for n in range(3)]
    recent_phrase = await say("Leg day done, feeling strong")
    clock.advance(timedelta(days=1))
    ann = await signed_in(client)
    fans = [await signed_in(client, f"fan{n}@example.com") for n in range(3)]
    liked_words = await say("Skipped leg work but a good day anyway")
    for fan in fans:
        await client.post(f"{FN}/posts/{liked_words}/like", headers=fan)
    await say("Upper body day")
    await say("Leg stretches only")
    gone = await say("Leg day, deleted later")
    assert (await client.delete(f"{FN}/posts/{gone}", headers=ann)).status_code == 204

    for q in ("leg day", "Leg DA", "  leg   day!! "):
        found = await client.get(f"{FN}/search/posts", params={"q": q}, headers=ann)
        assert found.status_code == 200, found.text
        body = found.json()
        assert [r["id"] for r in body["results"]] == [recent_phrase, old_phrase, liked_words], q
    assert body["total"] == 3 and body["results"][0]["author"]["name"] == "Ann"
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert (
        await client.get(f"{FN}/search/posts", params={"q": "leg day", "page": 2}, headers=ann)
    ).json()["results"] == []
    for bad in ("a", "!!", ""):
        refused = await client.get(f"{FN}/search/posts", params={"q": bad}, headers=ann)
        assert refused.status_code == 400, bad
    # A deleted post leaves the (cached) results at once.
    assert (await client.delete(f"{FN}/posts/{liked_words}", headers=ann)).status_code == 204
    again = (await client.get(f"{FN}/search/posts", params={"q": "leg day"}, headers=ann)).json()
    assert [r["id"] for r in again["results"]] == [recent_phrase, old_phrase]
    tricky = await client.get(
        f"{FN}/search/posts", params={"q": 'leg & | ! :* " OR day'}, headers=ann
    )
    assert tricky.status_code == 200  # operators are words' separators, never syntax


async def test_goals_are_searched_among_your_own_and_people_by_name(
    client: httpx2.AsyncClient,
) -> None:
    ann = await athlete(client)
    bob = await client.post(
        f"{FN}/auth/register",
        json={
            "email": "bob@example.com",
            "password": "correct horse battery",
            "name": "Bob Runner",
        },
    )
    bob_auth = {"Authorization": f"Bearer {bob.json()['access_token']}"}
    await goal(client, ann, "Morning run 5k", 3)
    await goal(client, bob_auth, "Run a marathon", 5)
    mine = (await client.get(f"{FN}/search/goals", params={"q": "run"}, headers=ann)).json()
    assert [g["title"] for g in mine["results"]] == ["Morning run 5k"]
    people = await client.get(f"{FN}/search/users", params={"q": "bob run"}, headers=ann)
    assert [p["name"] for p in people.json()["results"]] == ["Bob Runner"]
    assert "example.com" not in people.text


async def test_suggestions_come_from_popular_searches_people_and_kinds(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await athlete(client)
    await client.post(
        f"{FN}/auth/register",
        json={"email": "lena@example.com", "password": "correct horse battery", "name": "Lena"},
    )
    for _ in range(2):
        await client.get(f"{FN}/search/posts", params={"q": "leg day"}, headers=ann)
    await client.get(f"{FN}/search/posts", params={"q": "legs"}, headers=ann)
    await search.flush_counts(app.state.db, app.state.clock.now())  # buffered in the process
    found = (await client.get(f"{FN}/search/suggestions", params={"q": "le"}, headers=ann)).json()
    assert found[:3] == [
        {"kind": "search", "text": "leg day"},
        {"kind": "search", "text": "legs"},
        {"kind": "user", "text": "Lena"},
    ]
    yoga = (await client.get(f"{FN}/search/suggestions", params={"q": "yo"}, headers=ann)).json()
    assert {"kind": "category", "text": "yoga"} in yoga
    assert (
        await client.get(f"{FN}/search/suggestions", params={"q": "l"}, headers=ann)
    ).status_code == 400
    clicked = await client.post(
        f"{FN}/search/click",
        json={"q": "leg day", "result_id": "00000000-0000-0000-0000-000000000001", "position": 0},
        headers=ann,
    )
    assert clicked.status_code == 204
    await search.flush_counts(app.state.db, app.state.clock.now())  # buffered in the process
    terms = {t.term: (t.searches, t.clicks) for t in await stored(app, SearchTerm)}
    assert terms["leg day"] == (2, 1) and terms["legs"] == (1, 0)
