"""Motivation: the seed's prompt (goal, last three check-ins, tone, language) sent to the
model, the answer saved; the local composer when the model fails; 10 an hour; the voice for
Pro plans; schedules that push at a local time once per occurrence and open a fresh message."""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.fitnudge.jobs import MOTIVATION
from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.core.settings import Settings
from appfleet.runtime.jobs import queue
from tests.apps.fitnudge.coach import FN, athlete, check_in, goal, signed_in, subscribe
from tests.fixtures.ai import FakeModel, with_model
from tests.platform.billing.flows import path_of

pytestmark = pytest.mark.anyio
SPANISH_PHRASES = set(
    json.loads(
        resources.files("appfleet.apps.fitnudge.data").joinpath("locales/common.json").read_text()
    )["es"].values()
)


@pytest.fixture
def settings(settings: Settings, model_server: FakeModel) -> Settings:
    """FitNudge talking to an OpenAI-compatible model (a local fake speaking its protocol)."""
    return with_model(settings, model_server)


async def test_the_prompt_holds_the_goal_the_last_three_check_ins_and_the_tone(
    client: httpx2.AsyncClient, model_server: FakeModel
) -> None:
    ann = await athlete(client)
    await client.patch(f"{FN}/users/me", json={"language": "es"}, headers=ann)
    gym = await goal(client, ann, "Gym 3x/week", 3)
    for day, status in (
        ("2026-03-04", "done"),
        ("2026-03-05", "missed"),
        ("2026-03-06", "skipped"),
        ("2026-03-07", "done"),
    ):
        await check_in(client, ann, gym["id"], status, date=day, reflection=f"note {day}")
    model_server.replies = ["¡Sin excusas hoy!"]
    made = await client.post(
        f"{FN}/motivation/generate", json={"goal_id": gym["id"], "tone": "tough_love"}, headers=ann
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["text"] == "¡Sin excusas hoy!" and body["source"] == "provider"
    assert body["tone"] == "tough_love" and body["language"] == "es"
    [sent] = model_server.requests
    system, user = (m["content"] for m in sent["messages"])
    assert "motivational fitness coach" in system and "language with code es" in system
    assert "uplifting" in system
    # Seed 001: the shared phrases (common.json) in the user's language shape the prompt.
    phrases = system.split("for style: ", 1)[1].removesuffix(".").split(" | ")
    assert len(phrases) == 3 and all(p in SPANISH_PHRASES for p in phrases)
    assert "Gym 3x/week" in user and "Tone: tough-love" in user
    assert "2026-03-07: done (note 2026-03-07)" in user and "2026-03-05: missed" in user
    assert "2026-03-04" not in user  # only the last three


async def test_a_failing_model_falls_back_to_the_local_composer(
    client: httpx2.AsyncClient, model_server: FakeModel
) -> None:
    ann = await athlete(client)
    gym = await goal(client, ann, "Run")
    model_server.status = 503
    made = await client.post(f"{FN}/motivation/generate", json={"goal_id": gym["id"]}, headers=ann)
    assert made.status_code == 201
    assert made.json()["source"] in ("local", "fallback_cache") and made.json()["text"]


async def test_ten_an_hour_and_only_for_your_own_goals(client: httpx2.AsyncClient) -> None:
    ann, bob = await athlete(client), await athlete(client, "bob@example.com")
    gym = await goal(client, ann)
    other = await client.post(f"{FN}/motivation/generate", json={"goal_id": gym["id"]}, headers=bob)
    assert other.status_code == 404
    statuses = [
        (
            await client.post(f"{FN}/motivation/generate", json={"goal_id": gym["id"]}, headers=ann)
        ).status_code
        for _ in range(11)
    ]
    assert statuses == [201] * 10 + [429]


async def test_the_voice_is_for_pro_plans(client: httpx2.AsyncClient, app: FastAPI) -> None:
    ann = await athlete(client)
    gym = await goal(client, ann)
    made = (
        await client.post(f"{FN}/motivation/generate", json={"goal_id": gym["id"]}, headers=ann)
    ).json()
    free = await client.post(
        f"{FN}/motivation/voice", json={"motivation_id": made["id"]}, headers=ann
    )
    assert free.status_code == 403 and free.json()["error"]["details"]["required"] == "pro"
    await subscribe(client, app, ann, "pro")
    spoken = await client.post(
        f"{FN}/motivation/voice", json={"motivation_id": made["id"]}, headers=ann
    )
    assert spoken.status_code == 200, spoken.text
    body = spoken.json()
    assert body["text"] == made["text"] and body["audio_url"]
    audio = await client.get(path_of(body["audio_url"]))
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"  # espeak-ng's WAV
    bob = await athlete(client, "bob@example.com")
    await subscribe(client, app, bob, "coach_plus")
    theirs = await client.post(
        f"{FN}/motivation/voice", json={"motivation_id": made["id"]}, headers=bob
    )
    assert theirs.status_code == 404


async def run_schedules(app: FastAPI) -> None:
    async with unit_of_work(app.state.db) as session:
        await queue.enqueue(session, app.state.clock, MOTIVATION)
    await app.state.jobs.worker.drain()


async def test_a_schedule_pushes_once_at_local_time_and_opens_a_fresh_message(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, model_server: FakeModel
) -> None:
    ann = await athlete(client, timezone="Europe/Berlin")  # 13:00 there
    gym = await goal(client, ann, "Gym")
    made = await client.post(
        f"{FN}/motivation/schedule",
        json={"goal_id": gym["id"], "time": "13:30", "days": ["sun", "mon"], "tone": "calm"},
        headers=ann,
    )
    assert made.status_code == 201, made.text
    assert made.json()["next_at"] == "2026-03-08T12:30:00Z" and made.json()["days"] == [
        "mon",
        "sun",
    ]
    await run_schedules(app)
    assert (await client.get(f"{FN}/notifications", headers=ann)).json()["items"] == []
    clock.advance(timedelta(minutes=31))
    await run_schedules(app)
    await run_schedules(app)  # the same occurrence is not pushed again
    ann = await signed_in(client)
    inbox = (await client.get(f"{FN}/notifications", headers=ann)).json()["items"]
    assert [(n["kind"], n["title"]) for n in inbox] == [("motivation", "Gym")]
    [listed] = (await client.get(f"{FN}/motivation/schedules", headers=ann)).json()
    assert listed["next_at"] == "2026-03-09T12:30:00Z"  # Monday 13:30 in Berlin
    model_server.replies = ["Breathe, then go."]
    opened = await client.get(f"{FN}/motivation/latest", headers=ann)
    assert opened.status_code == 200 and opened.json()["text"] == "Breathe, then go."
    assert opened.json()["tone"] == "calm" and opened.json()["goal_id"] == gym["id"]
    removed = await client.delete(f"{FN}/motivation/schedules/{listed['id']}", headers=ann)
    assert removed.status_code == 204
