"""CorpFinity's local AI composer: the suggestion message when no model is configured (or it
is away). The catalog is written in English; the sentence around it is in the user's language."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from appfleet.providers.ai.base import Tone
from appfleet.providers.ai.local import language_of

ENERGY: dict[str, dict[str, list[str]]] = {
    "en": {
        "low": ["Running low? Something gentle is just right.", "A calm minute is all this takes."],
        "medium": ["A good moment for a steady reset.", "Just enough to shake off the desk."],
        "high": ["Plenty of energy? Put it to work.", "Feeling lively — let's use it."],
    },
    "es": {
        "low": ["¿Poca energía? Algo suave es perfecto.", "Solo necesitas un minuto tranquilo."],
        "medium": ["Buen momento para recargar.", "Justo lo necesario para despejarte."],
        "high": ["¿Con energía? Aprovéchala.", "Te sientes con ganas: ¡a por ello!"],
    },
    "fr": {
        "low": ["Peu d'énergie ? Quelque chose de doux suffit.", "Une minute au calme suffit."],
        "medium": ["Le bon moment pour se remettre d'aplomb.", "Juste de quoi quitter l'écran."],
        "high": ["Plein d'énergie ? Profites-en.", "En forme : allons-y !"],
    },
    "de": {
        "low": ["Wenig Energie? Etwas Sanftes passt genau.", "Dafür reicht eine ruhige Minute."],
        "medium": [
            "Ein guter Moment für eine kurze Pause.",
            "Genau richtig, um kurz rauszukommen.",
        ],
        "high": ["Voller Energie? Nutz sie.", "Du bist in Schwung – los geht's."],
    },
}
INVITE = {
    "en": "{name}, try “{title}” ({duration}): {description}",
    "es": "{name}, prueba «{title}» ({duration}).",
    "fr": "{name}, essaie « {title} » ({duration}).",
    "de": "{name}, probier „{title}“ ({duration}).",
}
FAVOURITE = {
    "en": "It's in {category}, one of your favourites.",
    "es": "Es de {category}, una de tus favoritas.",
    "fr": "C'est dans {category}, une de tes préférées.",
    "de": "Es ist aus {category}, einer deiner Lieblingskategorien.",
}


def suggestion(facts: Mapping[str, Any], language: str, tone: Tone, rng: random.Random) -> str:
    lang = language_of(language)
    energy = str(facts.get("energy") or "medium")
    parts = [rng.choice(ENERGY[lang].get(energy, ENERGY[lang]["medium"]))]
    parts.append(
        INVITE[lang].format(
            name=facts.get("name") or "Hey",
            title=facts["title"],
            duration=facts["duration"],
            description=facts.get("description", ""),
        )
    )
    category = facts.get("category")
    if category and category == facts.get("favourite"):
        parts.append(FAVOURITE[lang].format(category=str(category).replace("_", " ")))
    return " ".join(parts)


COMPOSERS = {"corpfinity.suggestion": suggestion}
