"""Achievements as data: each names a rule (a kind of progress and a threshold), and one
evaluator per rule kind decides them all — adding an achievement is adding a row here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RuleKind = Literal[
    "completions",  # challenges completed in all
    "streak",  # longest streak, in days
    "categories_all",  # every category of the catalog tried
    "category",  # completions in one category
    "energies_all",  # every energy level tried
    "hour_before",  # a completion before this local hour
    "hour_from",  # a completion at or after this local hour
    "in_one_day",  # completions on one local day
    "tracked_days",  # days a tracking field reached a value
    "tracked_total",  # a tracking counter summed over all days
]
# What each kind is affected by: a completion, a tracking update, or both.
COMPLETION_KINDS = frozenset(
    {
        "completions",
        "streak",
        "categories_all",
        "category",
        "energies_all",
        "hour_before",
        "hour_from",
        "in_one_day",
    }
)
TRACKING_KINDS = frozenset({"tracked_days", "tracked_total"})


@dataclass(frozen=True, slots=True)
class Rule:
    kind: RuleKind
    threshold: int = 1
    field: str | None = None  # the category, or the tracking field
    at_least: int = 1  # tracked_days: the field's value that counts a day


@dataclass(frozen=True, slots=True)
class Achievement:
    id: str
    title: str
    description: str
    emoji: str
    rule: Rule


ACHIEVEMENTS: tuple[Achievement, ...] = (
    Achievement(
        "first_step", "First Step", "Complete your first challenge.", "🌱", Rule("completions", 1)
    ),
    Achievement(
        "warming_up", "Warming Up", "Complete 10 challenges.", "🔥", Rule("completions", 10)
    ),
    Achievement(
        "half_century", "Half Century", "Complete 50 challenges.", "🏅", Rule("completions", 50)
    ),
    Achievement(
        "centurion", "Centurion", "Complete 100 challenges.", "💯", Rule("completions", 100)
    ),
    Achievement("streak_3", "On a Roll", "Keep a 3-day streak.", "📅", Rule("streak", 3)),
    Achievement("streak_7", "One Week Strong", "Keep a 7-day streak.", "🗓️", Rule("streak", 7)),
    Achievement("streak_30", "Habit Formed", "Keep a 30-day streak.", "🏆", Rule("streak", 30)),
    Achievement("streak_100", "Unstoppable", "Keep a 100-day streak.", "👑", Rule("streak", 100)),
    Achievement(
        "explorer", "Explorer", "Try a challenge in every category.", "🧭", Rule("categories_all")
    ),
    Achievement(
        "zen_master",
        "Zen Master",
        "Complete 20 mindfulness challenges.",
        "🧘",
        Rule("category", 20, field="mindfulness"),
    ),
    Achievement(
        "mover",
        "Mover and Shaker",
        "Complete 25 movement challenges.",
        "🏃",
        Rule("category", 25, field="movement"),
    ),
    Achievement(
        "all_energies",
        "Full Spectrum",
        "Complete a low, a medium and a high energy challenge.",
        "🌈",
        Rule("energies_all"),
    ),
    Achievement(
        "early_bird",
        "Early Bird",
        "Complete a challenge before 8 AM.",
        "🐦",
        Rule("hour_before", 8),
    ),
    Achievement(
        "night_owl", "Night Owl", "Complete a challenge after 9 PM.", "🦉", Rule("hour_from", 21)
    ),
    Achievement(
        "power_day", "Power Day", "Complete 5 challenges in one day.", "⚡", Rule("in_one_day", 5)
    ),
    Achievement(
        "hydration_hero",
        "Hydration Hero",
        "Drink 8 glasses of water on 7 days.",
        "💧",
        Rule("tracked_days", 7, field="water_intake", at_least=8),
    ),
    Achievement(
        "hydration_legend",
        "Hydration Legend",
        "Drink 8 glasses of water on 30 days.",
        "🌊",
        Rule("tracked_days", 30, field="water_intake", at_least=8),
    ),
    Achievement(
        "deep_breather",
        "Deep Breather",
        "Log 50 breathing sessions.",
        "🫁",
        Rule("tracked_total", 50, field="breathing_sessions"),
    ),
    Achievement(
        "mood_mapper",
        "Mood Mapper",
        "Log your mood on 7 days.",
        "🎭",
        Rule("tracked_days", 7, field="mood"),
    ),
)
BY_ID = {a.id: a for a in ACHIEVEMENTS}
