"""AI motivation (seed 001): a message built from the goal, the last three check-ins and the
tone, in the user's language, saved to the user's motivations; its voice for Pro plans."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Checkin, Goal, Motivation, MotivationSchedule
from appfleet.apps.fitnudge.schemas import MotivationRead, VoiceRead
from appfleet.apps.fitnudge.service import _goals
from appfleet.apps.fitnudge.service._common import APP, Athlete, Coach
from appfleet.core.database import Database, unit_of_work
from appfleet.core.errors import NotFound
from appfleet.core.registry import AppContext
from appfleet.platform.locales import service as locales
from appfleet.providers.ai.base import TONES, ChatMessage, TextRequest, Tone
from appfleet.providers.ai.local import language_of

HISTORY = 3  # check-ins the prompt is based on (seed 001)
PHRASES = 3
TONE_WORDS: dict[str, str] = {"friendly": "friendly", "tough_love": "tough-love", "calm": "calm"}


def _history_line(checkin: Checkin) -> str:
    line = f"{checkin.day.isoformat()}: {checkin.status}"
    return f"{line} ({checkin.reflection})" if checkin.reflection else line


@dataclass(frozen=True, slots=True)
class Basis:
    """What a message is written from: the goal, its last check-ins (newest first), and a few
    of the app's shared phrases in the user's language (seed 001: common.json adapts the
    prompt to the user's language)."""

    goal: Goal
    history: list[Checkin]
    phrases: tuple[str, ...] = ()


def prompt(user: Athlete, basis: Basis, tone: Tone) -> TextRequest:
    """Seed 001's prompt template, with the facts the local composer writes from."""
    goal, history = basis.goal, basis.history
    lines = "; ".join(_history_line(c) for c in history) or "no check-ins yet"
    style = ""
    if basis.phrases:
        quoted = " | ".join(basis.phrases)
        style = f" Phrases our members like in their language, for style: {quoted}."
    return TextRequest(
        "motivation",
        (
            ChatMessage(
                "system",
                "You are a motivational fitness coach helping the user stay consistent. "
                "End with an emotionally uplifting line. Answer in at most three sentences, "
                f"in the language with code {language_of(user.language)}.{style}",
            ),
            ChatMessage(
                "user",
                f"Base message on:\n- User's goal: {goal.title} ({goal.frequency}x/week)\n"
                f"- Last 3 check-ins: {lines}\n- Tone: {TONE_WORDS[tone]}",
            ),
        ),
        facts={
            "name": user.name,
            "goal": goal.title,
            "history": [{"status": c.status, "date": c.day.isoformat()} for c in history],
        },
        language=user.language,
        tone=tone,
        max_tokens=160,
        seed=int(hashlib.sha256(f"{goal.id}:{len(history)}:{lines}".encode()).hexdigest()[:8], 16),
    )


def read(motivation: Motivation) -> MotivationRead:
    return MotivationRead(
        id=motivation.id,
        goal_id=motivation.goal_id,
        text=motivation.text,
        tone=motivation.tone,
        language=motivation.language,
        source=motivation.source,
        created_at=motivation.created_at,
    )


async def _load(session: AsyncSession, user: Athlete, goal_id: uuid.UUID) -> Basis:
    goal = await _goals.owned(session, user.user_id, goal_id)
    history = list(
        await session.scalars(
            select(Checkin)
            .where(Checkin.goal_id == goal.id)
            .order_by(Checkin.day.desc())
            .limit(HISTORY)
        )
    )
    phrases = locales.common_phrases(await locales.load(session, APP), language_of(user.language))
    # A few, varying with the goal's history, so prompts do not all read alike.
    start = len(history) + goal.id.int % max(1, len(phrases))
    chosen = tuple((phrases[start:] + phrases[:start])[:PHRASES])
    return Basis(goal, history, chosen)


async def _written(
    db: Database,
    coach: Coach,
    app: AppContext,
    user: Athlete,
    basis: Basis,
    tone: Tone,
) -> MotivationRead:
    """Generate (no transaction open meanwhile), then save."""
    goal = basis.goal
    generation = await coach.ai.generate(
        app.name, prompt(user, basis, tone), subject=f"goal:{goal.id}"
    )
    motivation = Motivation(
        user_id=user.user_id,
        goal_id=goal.id,
        text=generation.text,
        tone=tone,
        language=language_of(user.language),
        source=generation.source,
        created_at=coach.clock.now(),
    )
    async with unit_of_work(db) as session:
        session.add(motivation)
    return read(motivation)


async def generate(
    db: Database, coach: Coach, app: AppContext, user: Athlete, goal_id: uuid.UUID, tone: Tone
) -> MotivationRead:
    async with unit_of_work(db, write=False) as session:
        basis = await _load(session, user, goal_id)
    return await _written(db, coach, app, user, basis, tone)


async def latest(db: Database, coach: Coach, app: AppContext, user: Athlete) -> MotivationRead:
    """What tapping a motivation push opens: a fresh message for the goal of the schedule
    that fired last (else the most recent active goal), in that schedule's tone."""
    async with unit_of_work(db, write=False) as session:
        fired = await session.execute(
            select(MotivationSchedule.goal_id, MotivationSchedule.tone)
            .join(Goal, Goal.id == MotivationSchedule.goal_id)
            .where(
                MotivationSchedule.user_id == user.user_id,
                MotivationSchedule.last_sent_at.is_not(None),
                Goal.active.is_(True),
            )
            .order_by(MotivationSchedule.last_sent_at.desc())
            .limit(1)
        )
        row = fired.first()
        tone: Tone = "friendly"
        goal_id = None
        if row is not None:
            goal_id, tone = row[0], next((t for t in TONES if t == row[1]), "friendly")
        else:
            goal_id = await session.scalar(
                select(Goal.id)
                .where(Goal.user_id == user.user_id, Goal.active.is_(True))
                .order_by(Goal.created_at.desc())
                .limit(1)
            )
        if goal_id is None:
            raise NotFound("Set a goal first: motivation is about one")
        basis = await _load(session, user, goal_id)
    return await _written(db, coach, app, user, basis, tone)


async def voice(
    db: Database, coach: Coach, app: AppContext, user: Athlete, motivation_id: uuid.UUID
) -> VoiceRead:
    """The message spoken (made once, then kept with it); without a voice provider up, the
    text alone (seed 001's degradation)."""
    async with unit_of_work(db, write=False) as session:
        motivation = await session.get(Motivation, motivation_id)
    if motivation is None or motivation.user_id != user.user_id:
        raise NotFound("No such motivation")
    key = motivation.audio_key
    if key is None:
        speech = await coach.ai.speak(motivation.text, motivation.language)
        if speech is None:
            return VoiceRead(
                motivation_id=motivation.id, text=motivation.text, audio_url=None, content_type=None
            )
        key = f"{app.name}/private/{user.user_id}/voice/{motivation.id}.{speech.extension}"
        await coach.storage.write(key, speech.audio, speech.content_type)
        async with unit_of_work(db) as session:
            await session.execute(
                update(Motivation).where(Motivation.id == motivation.id).values(audio_key=key)
            )
    url = coach.storage.download_url(key, expires_s=coach.storage_settings.download_url_ttl_s)
    return VoiceRead(
        motivation_id=motivation.id,
        text=motivation.text,
        audio_url=url,
        content_type="audio/mpeg" if key.endswith(".mp3") else "audio/wav",
    )
