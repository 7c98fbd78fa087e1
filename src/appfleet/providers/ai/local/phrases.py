"""The local generator's phrase banks: motivation in four languages and three tones (seed 001:
friendly, tough love, calm). {name} and {goal} are filled in; every message ends on an
uplifting line, as the seed's prompt asks."""

from __future__ import annotations

Bank = dict[str, dict[str, list[str]]]  # language -> tone -> variants

OPENERS: Bank = {
    "en": {
        "friendly": [
            "Hey {name}!",
            "Hi {name}, good to see you.",
            "{name}, you've got this!",
            "Morning energy, {name}!",
        ],
        "tough_love": [
            "Listen up, {name}.",
            "{name}, no excuses today.",
            "Time to move, {name}.",
            "{name}, let's be honest with ourselves.",
        ],
        "calm": [
            "Take a breath, {name}.",
            "{name}, one step at a time.",
            "Easy does it, {name}.",
            "Settle in, {name}.",
        ],
    },
    "es": {
        "friendly": [
            "¡Hola, {name}!",
            "¡{name}, tú puedes!",
            "¡Qué bueno verte, {name}!",
            "¡Arriba ese ánimo, {name}!",
        ],
        "tough_love": [
            "Escucha, {name}.",
            "{name}, hoy no hay excusas.",
            "A moverse, {name}.",
            "{name}, seamos sinceros.",
        ],
        "calm": [
            "Respira hondo, {name}.",
            "{name}, paso a paso.",
            "Con calma, {name}.",
            "Tómate un momento, {name}.",
        ],
    },
    "fr": {
        "friendly": [
            "Salut {name} !",
            "{name}, tu vas y arriver !",
            "Content de te voir, {name} !",
            "Allez {name}, on y va !",
        ],
        "tough_love": [
            "Écoute bien, {name}.",
            "{name}, pas d'excuses aujourd'hui.",
            "En route, {name}.",
            "{name}, soyons honnêtes.",
        ],
        "calm": [
            "Respire, {name}.",
            "{name}, un pas après l'autre.",
            "Tout doux, {name}.",
            "Prends un instant, {name}.",
        ],
    },
    "de": {
        "friendly": [
            "Hey {name}!",
            "{name}, du schaffst das!",
            "Schön, dich zu sehen, {name}!",
            "Auf geht's, {name}!",
        ],
        "tough_love": [
            "Hör zu, {name}.",
            "{name}, heute keine Ausreden.",
            "Beweg dich, {name}.",
            "{name}, mal ehrlich.",
        ],
        "calm": [
            "Atme durch, {name}.",
            "{name}, Schritt für Schritt.",
            "Ganz ruhig, {name}.",
            "Nimm dir einen Moment, {name}.",
        ],
    },
}

# What the recent check-ins say. Keys: streak (done several times running), comeback (done
# after a miss), slipping (missed or skipped recently), fresh (no history yet).
HISTORY: dict[str, dict[str, dict[str, list[str]]]] = {
    "en": {
        "streak": {
            "friendly": [
                '{count} check-ins in a row for "{goal}" — that\'s a real habit forming.',
                'You\'ve shown up {count} times running for "{goal}". Love it.',
            ],
            "tough_love": [
                '{count} in a row on "{goal}". Good. Now don\'t you dare break it.',
                '{count} straight. "{goal}" is working because you are. Keep it up.',
            ],
            "calm": [
                '{count} days in a row of "{goal}". Notice how steady that feels.',
                'You\'ve kept "{goal}" going {count} times. Quiet consistency.',
            ],
        },
        "comeback": {
            "friendly": [
                'You got back to "{goal}" after a miss — that bounce-back matters most.',
                'Back on track with "{goal}"! Missing once never defined anyone.',
            ],
            "tough_love": [
                'You slipped, then you showed up for "{goal}". That\'s the job.',
                'One miss, one comeback. "{goal}" needs the next one too.',
            ],
            "calm": [
                'You returned to "{goal}" after a pause. Returning is the practice.',
                'A missed day, then back to "{goal}". That\'s how habits really grow.',
            ],
        },
        "slipping": {
            "friendly": [
                '"{goal}" has had a rough few days — today is a great day to restart.',
                'A couple of misses on "{goal}" lately. No stress, just start small.',
            ],
            "tough_love": [
                '"{goal}" has slipped {count} times lately. Today that stops.',
                '{count} recent misses on "{goal}". Excuses don\'t build results.',
            ],
            "calm": [
                '"{goal}" has been hard lately. Be kind to yourself and begin again.',
                'A few quiet days for "{goal}". Today can simply be a gentle restart.',
            ],
        },
        "fresh": {
            "friendly": [
                '"{goal}" starts now, and first steps are the exciting ones.',
                'New goal: "{goal}". Let\'s make day one count!',
            ],
            "tough_love": [
                '"{goal}" is just words until you show up. Day one is today.',
                'You set "{goal}". Now prove you meant it.',
            ],
            "calm": [
                '"{goal}" begins with a single, easy step today.',
                'Start "{goal}" gently. Small beginnings last.',
            ],
        },
    },
    "es": {
        "streak": {
            "friendly": [
                "{count} registros seguidos para «{goal}»: se está formando un hábito.",
                "Has cumplido «{goal}» {count} veces seguidas. ¡Me encanta!",
            ],
            "tough_love": [
                "{count} seguidas con «{goal}». Bien. Ni se te ocurra romperlo.",
                "{count} seguidas. «{goal}» funciona porque tú funcionas.",
            ],
            "calm": [
                "{count} días seguidos de «{goal}». Nota lo estable que se siente.",
                "Has mantenido «{goal}» {count} veces. Constancia tranquila.",
            ],
        },
        "comeback": {
            "friendly": [
                "Volviste a «{goal}» tras un fallo: esa vuelta es lo que más cuenta.",
                "¡De nuevo en marcha con «{goal}»! Un fallo no define a nadie.",
            ],
            "tough_love": [
                "Fallaste y luego cumpliste con «{goal}». Ese es el trabajo.",
                "Un fallo, una vuelta. «{goal}» necesita la siguiente también.",
            ],
            "calm": [
                "Regresaste a «{goal}» tras una pausa. Regresar es la práctica.",
                "Un día perdido y de vuelta a «{goal}». Así crecen los hábitos.",
            ],
        },
        "slipping": {
            "friendly": [
                "«{goal}» ha tenido unos días difíciles: hoy es buen día para retomarlo.",
                "Un par de fallos con «{goal}» últimamente. Tranquilo, empieza poco a poco.",
            ],
            "tough_love": [
                "«{goal}» ha fallado {count} veces últimamente. Hoy se acaba.",
                "{count} fallos recientes con «{goal}». Las excusas no dan resultados.",
            ],
            "calm": [
                "«{goal}» ha costado últimamente. Sé amable contigo y vuelve a empezar.",
                "Unos días tranquilos para «{goal}». Hoy puede ser un suave reinicio.",
            ],
        },
        "fresh": {
            "friendly": [
                "«{goal}» empieza ahora, y los primeros pasos son los más emocionantes.",
                "Nueva meta: «{goal}». ¡Que el primer día cuente!",
            ],
            "tough_love": [
                "«{goal}» son solo palabras hasta que te presentes. Hoy es el día uno.",
                "Te propusiste «{goal}». Ahora demuestra que iba en serio.",
            ],
            "calm": [
                "«{goal}» empieza hoy con un paso sencillo.",
                "Empieza «{goal}» con suavidad. Los comienzos pequeños duran.",
            ],
        },
    },
    "fr": {
        "streak": {
            "friendly": [
                "{count} séances d'affilée pour « {goal} » : une vraie habitude se forme.",
                "Tu as tenu « {goal} » {count} fois de suite. J'adore !",
            ],
            "tough_love": [
                "{count} d'affilée sur « {goal} ». Bien. Ne casse surtout pas la série.",
                "{count} de suite. « {goal} » marche parce que tu t'y tiens.",
            ],
            "calm": [
                "{count} jours de suite pour « {goal} ». Remarque cette stabilité.",
                "Tu as tenu « {goal} » {count} fois. Une constance tranquille.",
            ],
        },
        "comeback": {
            "friendly": [
                "Tu es revenu à « {goal} » après un raté : c'est ce retour qui compte.",
                "De retour sur « {goal} » ! Un raté ne définit personne.",
            ],
            "tough_love": [
                "Tu as flanché, puis tu as assuré « {goal} ». C'est ça, le travail.",
                "Un raté, un retour. « {goal} » a besoin du suivant aussi.",
            ],
            "calm": [
                "Tu es revenu à « {goal} » après une pause. Revenir, c'est la pratique.",
                "Un jour manqué, puis retour à « {goal} ». C'est ainsi que naissent les habitudes.",
            ],
        },
        "slipping": {
            "friendly": [
                "« {goal} » a connu quelques jours difficiles : aujourd'hui, on repart.",
                "Quelques ratés sur « {goal} » récemment. Pas de stress, commence petit.",
            ],
            "tough_love": [
                "« {goal} » a été manqué {count} fois récemment. Ça s'arrête aujourd'hui.",
                "{count} ratés récents sur « {goal} ». Les excuses ne font pas de résultats.",
            ],
            "calm": [
                "« {goal} » a été difficile ces temps-ci. Sois indulgent et recommence.",
                "Quelques jours calmes pour « {goal} ». Aujourd'hui peut être un doux redémarrage.",
            ],
        },
        "fresh": {
            "friendly": [
                "« {goal} » commence maintenant, et les premiers pas sont les plus grisants.",
                "Nouvel objectif : « {goal} ». Faisons compter le premier jour !",
            ],
            "tough_love": [
                "« {goal} » reste des mots tant que tu n'agis pas. Jour un : aujourd'hui.",
                "Tu t'es fixé « {goal} ». Prouve maintenant que tu le pensais.",
            ],
            "calm": [
                "« {goal} » commence aujourd'hui par un pas simple.",
                "Commence « {goal} » en douceur. Les petits débuts durent.",
            ],
        },
    },
    "de": {
        "streak": {
            "friendly": [
                "{count} Check-ins in Folge für „{goal}“ – da entsteht eine echte Gewohnheit.",
                "Du warst {count}-mal in Folge bei „{goal}“ dabei. Stark!",
            ],
            "tough_love": [
                "{count} in Folge bei „{goal}“. Gut. Wehe, du reißt die Serie.",
                "{count} am Stück. „{goal}“ funktioniert, weil du dranbleibst.",
            ],
            "calm": [
                "{count} Tage in Folge „{goal}“. Spür, wie beständig sich das anfühlt.",
                "Du hast „{goal}“ {count}-mal gehalten. Ruhige Beständigkeit.",
            ],
        },
        "comeback": {
            "friendly": [
                "Nach einer Pause zurück bei „{goal}“ – genau dieses Zurückkommen zählt.",
                "Wieder auf Kurs mit „{goal}“! Ein verpasster Tag definiert niemanden.",
            ],
            "tough_love": [
                "Du hast geschwächelt und dann „{goal}“ durchgezogen. Genau so.",
                "Einmal verpasst, einmal zurück. „{goal}“ braucht auch das nächste Mal.",
            ],
            "calm": [
                "Du bist nach einer Pause zu „{goal}“ zurückgekehrt. Zurückkehren ist die Übung.",
                "Ein verpasster Tag, dann zurück zu „{goal}“. So wachsen Gewohnheiten.",
            ],
        },
        "slipping": {
            "friendly": [
                "„{goal}“ hatte ein paar schwere Tage – heute ist ein guter Tag zum Neustart.",
                "Zuletzt ein paar Aussetzer bei „{goal}“. Kein Stress, fang klein an.",
            ],
            "tough_love": [
                "„{goal}“ ist zuletzt {count}-mal ausgefallen. Heute ist Schluss damit.",
                "{count} Aussetzer bei „{goal}“. Ausreden bringen keine Ergebnisse.",
            ],
            "calm": [
                "„{goal}“ war zuletzt schwer. Sei nachsichtig mit dir und beginne neu.",
                "Ein paar ruhige Tage für „{goal}“. Heute darf ein sanfter Neubeginn sein.",
            ],
        },
        "fresh": {
            "friendly": [
                "„{goal}“ beginnt jetzt, und die ersten Schritte sind die spannendsten.",
                "Neues Ziel: „{goal}“. Lass Tag eins zählen!",
            ],
            "tough_love": [
                "„{goal}“ sind nur Worte, bis du loslegst. Tag eins ist heute.",
                "Du hast dir „{goal}“ vorgenommen. Jetzt zeig, dass du es ernst meinst.",
            ],
            "calm": [
                "„{goal}“ beginnt heute mit einem einfachen Schritt.",
                "Beginne „{goal}“ behutsam. Kleine Anfänge halten.",
            ],
        },
    },
}

CLOSINGS: Bank = {
    "en": {
        "friendly": [
            "You're doing amazing — even one step forward counts.",
            "Every rep is a vote for the person you're becoming.",
            "Proud of you already. Go make today count!",
        ],
        "tough_love": [
            "No excuses today — show up and prove it to yourself.",
            "Discipline today, pride tomorrow. Go.",
            "The only bad workout is the one you skip.",
        ],
        "calm": [
            "Today's small effort brings tomorrow's reward.",
            "Gentle progress is still progress.",
            "Breathe, begin, and let the rest follow.",
        ],
    },
    "es": {
        "friendly": [
            "Lo estás haciendo genial: cada paso adelante cuenta.",
            "Cada repetición es un voto por la persona en la que te conviertes.",
            "Ya estoy orgulloso de ti. ¡Haz que hoy cuente!",
        ],
        "tough_love": [
            "Hoy no hay excusas: preséntate y demuéstratelo.",
            "Disciplina hoy, orgullo mañana. ¡Vamos!",
            "El único mal entrenamiento es el que te saltas.",
        ],
        "calm": [
            "El pequeño esfuerzo de hoy trae la recompensa de mañana.",
            "El progreso suave sigue siendo progreso.",
            "Respira, empieza y deja que lo demás llegue.",
        ],
    },
    "fr": {
        "friendly": [
            "Tu assures : chaque pas en avant compte.",
            "Chaque répétition est un vote pour la personne que tu deviens.",
            "Déjà fier de toi. Fais compter cette journée !",
        ],
        "tough_love": [
            "Pas d'excuses aujourd'hui : montre-toi de quoi tu es capable.",
            "Discipline aujourd'hui, fierté demain. Vas-y.",
            "La seule mauvaise séance est celle que tu sautes.",
        ],
        "calm": [
            "Le petit effort d'aujourd'hui apporte la récompense de demain.",
            "Un progrès doux reste un progrès.",
            "Respire, commence, et laisse le reste venir.",
        ],
    },
    "de": {
        "friendly": [
            "Du machst das großartig – jeder Schritt nach vorn zählt.",
            "Jede Wiederholung ist eine Stimme für den Menschen, der du wirst.",
            "Ich bin jetzt schon stolz auf dich. Mach den Tag zu deinem!",
        ],
        "tough_love": [
            "Heute keine Ausreden – zeig es dir selbst.",
            "Disziplin heute, Stolz morgen. Los.",
            "Das einzige schlechte Training ist das, das du auslässt.",
        ],
        "calm": [
            "Die kleine Mühe von heute bringt den Lohn von morgen.",
            "Sanfter Fortschritt ist immer noch Fortschritt.",
            "Atme, fang an, und der Rest folgt.",
        ],
    },
}

FRIEND = {"en": "friend", "es": "amigo", "fr": "l'ami", "de": "du"}
