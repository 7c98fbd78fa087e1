"""Daily wellness quotes (seed 000's "Motivation: random daily, wellness quotes"), in the four
languages the app speaks."""

from __future__ import annotations

QUOTES: dict[str, list[str]] = {
    "en": [
        "Take care of your body. It's the only place you have to live. — Jim Rohn",
        "Almost everything will work again if you unplug it for a few minutes, including you."
        " — Anne Lamott",
        "Small daily improvements are the key to staggering long-term results.",
        "Rest is not idleness; it is the key to doing more.",
        "You don't have to see the whole staircase, just take the first step."
        " — Martin Luther King Jr.",
        "Breathe. You're going to be okay.",
        "Health is a relationship between you and your body.",
        "Progress, not perfection.",
        "A calm mind brings inner strength and self-confidence. — Dalai Lama",
        "Drink water, move a little, be kind to yourself.",
        "The best time to start was yesterday. The next best time is now.",
        "Energy flows where attention goes.",
    ],
    "es": [
        "Cuida tu cuerpo: es el único lugar que tienes para vivir. — Jim Rohn",
        "Casi todo vuelve a funcionar si lo desconectas unos minutos, incluso tú. — Anne Lamott",
        "Las pequeñas mejoras diarias llevan a grandes resultados.",
        "Descansar no es perder el tiempo: es la clave para hacer más.",
        "No tienes que ver toda la escalera, solo da el primer paso. — Martin Luther King Jr.",
        "Respira. Todo va a salir bien.",
        "La salud es una relación entre tú y tu cuerpo.",
        "Progreso, no perfección.",
        "Una mente tranquila trae fuerza interior y confianza. — Dalái lama",
        "Bebe agua, muévete un poco y sé amable contigo.",
        "El mejor momento para empezar fue ayer. El siguiente mejor es ahora.",
        "La energía fluye hacia donde va la atención.",
    ],
    "fr": [
        "Prends soin de ton corps : c'est le seul endroit où tu dois vivre. — Jim Rohn",
        "Presque tout remarche si on le débranche quelques minutes, toi compris. — Anne Lamott",
        "De petits progrès chaque jour mènent à de grands résultats.",
        "Le repos n'est pas de la paresse : c'est ce qui permet d'en faire plus.",
        "Pas besoin de voir tout l'escalier, monte juste la première marche."
        " — Martin Luther King Jr.",
        "Respire. Tout ira bien.",
        "La santé est une relation entre toi et ton corps.",
        "Le progrès, pas la perfection.",
        "Un esprit calme apporte force intérieure et confiance. — Dalaï-lama",
        "Bois de l'eau, bouge un peu, sois bienveillant envers toi-même.",
        "Le meilleur moment pour commencer était hier. Le suivant, c'est maintenant.",
        "L'énergie va là où va l'attention.",
    ],
    "de": [
        "Pass auf deinen Körper auf. Er ist der einzige Ort, an dem du leben musst. — Jim Rohn",
        "Fast alles funktioniert wieder, wenn man es ein paar Minuten aussteckt – auch du."
        " — Anne Lamott",
        "Kleine tägliche Fortschritte führen zu großen Ergebnissen.",
        "Ruhe ist kein Müßiggang, sondern der Schlüssel zu mehr.",
        "Du musst nicht die ganze Treppe sehen, nimm einfach die erste Stufe."
        " — Martin Luther King Jr.",
        "Atme. Alles wird gut.",
        "Gesundheit ist eine Beziehung zwischen dir und deinem Körper.",
        "Fortschritt, nicht Perfektion.",
        "Ein ruhiger Geist bringt innere Stärke und Selbstvertrauen. — Dalai Lama",
        "Trink Wasser, beweg dich ein wenig, sei freundlich zu dir.",
        "Der beste Zeitpunkt anzufangen war gestern. Der zweitbeste ist jetzt.",
        "Energie fließt dorthin, wo die Aufmerksamkeit hingeht.",
    ],
}
