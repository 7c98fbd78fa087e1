"""Flags, experiments and releases end to end: an admin changes them over the admin API and a
client's next request sees the change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.flags.models import ExperimentExposure
from tests.fixtures.accounts import bearer, register, stored
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
ADMIN = "/api/v1/admin"
FN = "/api/v1/fitnudge"


async def member(client: httpx2.AsyncClient, email: str, app: str = "fitnudge") -> dict[str, str]:
    return bearer((await register(client, app=app, email=email))["access_token"])


async def operator(
    client: httpx2.AsyncClient, app: FastAPI, role: str = "admin", scope: str | None = None
) -> dict[str, str]:
    auth = await member(client, f"{role}-{scope or 'all'}@example.com", app="corpfinity")
    await grant(app, f"{role}-{scope or 'all'}@example.com", role, scope)
    return auth


async def flags_of(client: httpx2.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"{FN}/flags", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def put_flag(
    client: httpx2.AsyncClient, auth: dict[str, str], key: str, **body: Any
) -> httpx2.Response:
    return await client.put(f"{ADMIN}/apps/fitnudge/flags/{key}", json=body, headers=auth)


async def test_a_flag_change_shows_on_the_clients_next_read(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops = await operator(client, app)
    ann = await member(client, "ann@example.com")
    assert (await flags_of(client, ann))["flags"] == {}
    created = await put_flag(client, ops, "new-ui", enabled=True, rollout_percent=0)
    assert created.status_code == 201, created.text
    assert (await flags_of(client, ann))["flags"] == {"new-ui": False}
    assert (await put_flag(client, ops, "new-ui", enabled=True)).status_code == 200
    assert (await flags_of(client, ann))["flags"] == {"new-ui": True}
    killed = await client.post(f"{ADMIN}/apps/fitnudge/flags/new-ui/kill", headers=ops)
    assert killed.json()["killed"] is True
    assert (await flags_of(client, ann))["flags"] == {"new-ui": False}
    gone = await client.delete(f"{ADMIN}/apps/fitnudge/flags/new-ui", headers=ops)
    assert gone.status_code == 204
    assert (await flags_of(client, ann))["flags"] == {}
    actions = [e.action for e in await stored(app, AuditEvent) if e.action.startswith("flag")]
    assert actions == ["flag_changed", "flag_changed", "flag_killed", "flag_deleted"]


async def test_targeting_by_country_and_plan_and_a_deployment_wide_flag(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops = await operator(client, app)
    ann = await member(client, "ann@example.com")
    bob = await member(client, "bob@example.com")
    await client.patch(f"{FN}/users/me", json={"country": "ca"}, headers=ann)
    local = {"enabled": True, "audience": {"countries": ["US", "CA"]}}
    assert (await put_flag(client, ops, "local-gym", **local)).status_code == 201
    pro_only = {"enabled": True, "audience": {"plans": ["pro"]}}
    assert (await put_flag(client, ops, "advanced-analytics", **pro_only)).status_code == 201
    everywhere = {"enabled": True, "audience": {"apps": ["fitnudge", "pennywise"]}}
    made = await client.put(f"{ADMIN}/flags/holiday-theme", json=everywhere, headers=ops)
    assert made.status_code == 201 and made.json()["app"] is None
    expected_ann = {"local-gym": True, "advanced-analytics": False, "holiday-theme": True}
    assert (await flags_of(client, ann))["flags"] == expected_ann
    assert (await flags_of(client, bob))["flags"] == {
        "local-gym": False,
        "advanced-analytics": False,
        "holiday-theme": True,
    }
    # Outside its apps a deployment-wide flag is off; an app's own flag of the key wins.
    cf = await member(client, "cy@example.com", app="corpfinity")
    assert (await client.get("/api/v1/corpfinity/flags", headers=cf)).json()["flags"] == {
        "holiday-theme": False
    }
    await put_flag(client, ops, "holiday-theme", enabled=False)
    assert (await flags_of(client, ann))["flags"]["holiday-theme"] is False


async def test_bad_flag_definitions_are_refused(client: httpx2.AsyncClient, app: FastAPI) -> None:
    ops = await operator(client, app)
    for key, body in (
        ("new-ui", {"rollout_percent": 101}),
        ("new-ui", {"audience": {"countries": ["Germany"]}}),
        ("new-ui", {"audience": {"age": 30}}),
        ("Bad Key!", {}),
    ):
        response = await put_flag(client, ops, key, **body)
        assert response.status_code == 400, (key, body, response.text)
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    unknown = await client.put(f"{ADMIN}/apps/nope/flags/x", json={}, headers=ops)
    assert unknown.status_code == 404


async def test_an_experiment_from_start_to_winner(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ops = await operator(client, app)
    base = f"{ADMIN}/apps/fitnudge/experiments/onboarding-flow"
    spec = {
        "variants": [{"name": "original", "weight": 1}, {"name": "simplified", "weight": 1}],
        "conversion_event": "goal_created",
    }
    assert (await client.put(base, json=spec, headers=ops)).status_code == 201
    people = []
    for n in range(12):
        clock.advance(timedelta(seconds=21))  # past the sign-up limit of 3 a minute
        people.append(await member(client, f"p{n}@example.com"))
    # A draft assigns nobody: everyone sees the original flow.
    assert (await flags_of(client, people[0]))["experiments"] == {}
    assert (await client.post(f"{base}/start", headers=ops)).json()["status"] == "running"
    again = await client.post(f"{base}/start", headers=ops)
    assert again.status_code == 409
    changed = {**spec, "variants": [*spec["variants"], {"name": "third", "weight": 1}]}
    assert (await client.put(base, json=changed, headers=ops)).status_code == 409

    arms = []
    for auth in people:
        flow = (await client.get(f"{FN}/onboarding/flow", headers=auth)).json()
        assert flow["flow"] == flow["variant"]
        assert flow["variant"] == (await flags_of(client, auth))["experiments"]["onboarding-flow"]
        arms.append(flow["flow"])
    assert set(arms) <= {"original", "simplified"}
    assert len(await stored(app, ExperimentExposure)) == 12  # once each, however often read
    converted: list[str] = []
    for auth, arm in list(zip(people, arms, strict=True))[:6]:
        made = await client.post(f"{FN}/goals", json={"title": "Run", "frequency": 3}, headers=auth)
        assert made.status_code == 201, made.text
        converted.append(arm)
    # A second conversion of the same user counts once.
    twice = await client.post(
        f"{FN}/experiments/onboarding-flow/conversions", json={}, headers=people[0]
    )
    assert twice.json() == {"recorded": False, "variant": arms[0]}
    # The user's own export says which arm they saw and what was counted.
    export = (await client.get(f"{FN}/users/me/data", headers=people[0])).json()
    [seen] = export["experiments"]
    assert (seen["experiment"], seen["variant"]) == ("onboarding-flow", arms[0])
    assert [c["event"] for c in seen["conversions"]] == ["goal_created"]
    assert export["days_active"] == [clock.now().date().isoformat()]

    results = (await client.get(f"{base}/results", headers=ops)).json()
    by_arm = {a["variant"]: a for a in results["arms"]}
    for name in ("original", "simplified"):
        assert by_arm[name]["users"] == arms.count(name)
        assert by_arm[name]["conversions"] == converted.count(name)
    treatment = by_arm["simplified"]
    assert by_arm["original"]["p_value"] is None  # the control is not compared with itself
    if by_arm["original"]["users"] and treatment["users"]:
        assert 0 <= treatment["p_value"] <= 1
        assert (
            treatment["difference_low"] <= treatment["difference"] <= treatment["difference_high"]
        )
    else:  # one arm drew nobody of the twelve (1 run in 2,000): no comparison is claimed
        assert treatment["p_value"] is None

    bad = await client.post(f"{base}/stop", json={"winner": "nope"}, headers=ops)
    assert bad.status_code == 400
    stopped = await client.post(f"{base}/stop", json={"winner": "simplified"}, headers=ops)
    assert stopped.json()["status"] == "stopped"
    for auth in people[:4]:
        assert (await client.get(f"{FN}/onboarding/flow", headers=auth)).json() == {
            "flow": "simplified",
            "steps": ["goal", "done"],
            "experiment": "onboarding-flow",
            "variant": "simplified",
        }


async def test_the_multiple_goals_flag_lifts_the_free_plans_goal_limit(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops = await operator(client, app)
    ann = await member(client, "ann@example.com")
    goal = {"title": "Run", "frequency": 3}
    assert (await client.post(f"{FN}/goals", json=goal, headers=ann)).status_code == 201
    refused = await client.post(f"{FN}/goals", json=goal, headers=ann)
    assert refused.status_code == 403
    await put_flag(client, ops, "multiple-goals", enabled=True)
    assert (await client.post(f"{FN}/goals", json=goal, headers=ann)).status_code == 201


async def test_builds_below_the_minimum_version_are_told_to_update(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops = await operator(client, app)
    ann = await member(client, "ann@example.com")
    store = "https://apps.apple.com/app/id123"
    release = {"min_version": "2.0", "recommended_version": "2.3.0", "store_url": store}
    put = await client.put(f"{ADMIN}/apps/fitnudge/releases/ios", json=release, headers=ops)
    assert put.status_code == 200, put.text

    def build(version: str, platform: str = "ios") -> dict[str, str]:
        return {**ann, "X-App-Version": version, "X-App-Platform": platform}

    old = await client.get(f"{FN}/users/me", headers=build("1.9.9 (120)"))
    assert old.status_code == 426
    error = old.json()["error"]
    assert error["code"] == "APP_VERSION_UNSUPPORTED"
    assert error["details"]["reason"] == "app_version_unsupported"
    assert error["details"]["store_url"] == store
    assert (await client.get(f"{FN}/users/me", headers=build("2.0.0"))).status_code == 200
    assert (await client.get(f"{FN}/users/me", headers=build("1.0", "android"))).status_code == 200
    assert (await client.get(f"{FN}/users/me", headers=ann)).status_code == 200
    other_app = await client.get("/api/v1/corpfinity/challenges", headers=build("1.0"))
    assert other_app.status_code == 200
    garbled = await client.get(f"{FN}/users/me", headers=build("latest"))
    assert garbled.status_code == 400

    config = await client.get(f"{FN}/config", headers=build("1.5"))
    assert config.status_code == 200
    assert config.json()["update"] == "required" and config.json()["store_url"] == store
    assert (await client.get(f"{FN}/config", headers=build("2.1"))).json()["update"] == (
        "recommended"
    )
    assert (await client.get(f"{FN}/config?platform=ios")).json()["update"] == "none"

    backwards = {"min_version": "3.0", "recommended_version": "2.0"}
    refused = await client.put(f"{ADMIN}/apps/fitnudge/releases/ios", json=backwards, headers=ops)
    assert refused.status_code == 400
    gone = await client.delete(f"{ADMIN}/apps/fitnudge/releases/ios", headers=ops)
    assert gone.status_code == 204
    assert (await client.get(f"{FN}/users/me", headers=build("1.0"))).status_code == 200
