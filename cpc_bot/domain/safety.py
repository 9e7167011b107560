"""Words that may mean someone is in danger now. Pure; the handler decides what to say.

This is a safety net, not a detector: it errs towards showing the helplines, which
costs a reader a few seconds, and it never blocks or changes what they wrote.
The lists cover every language the bot speaks; a language without a list falls back
to English (people often write a few English words in another language).
"""

from __future__ import annotations

import re
import unicodedata

DANGER_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "kill myself", "killing myself", "want to die", "wanna die", "end my life", "suicide", "suicidal",
        "hurt myself", "hurting myself", "self harm", "self-harm", "cut myself", "cutting myself",
        "not safe", "unsafe right now", "in danger", "scared to go home", "afraid to go home",
        "he hits me", "she hits me", "they hit me", "hits me", "beats me", "beat me up", "touched me",
        "going to hurt me", "will hurt me", "help me",
    ),
    "pl": (
        "zabiję się", "zabic sie", "zabić się", "chcę umrzeć", "chce umrzec", "samobój", "samobojstwo",
        "skrzywdzę się", "tnę się", "tne sie", "nie jestem bezpieczn", "boję się wrócić", "boje sie wrocic",
        "bije mnie", "biją mnie", "bija mnie", "dotykał mnie", "dotykal mnie", "pomocy", "w niebezpieczeństwie",
    ),
}


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold())


def mentions_danger(text: str, locale: str) -> bool:
    """True when the text contains a phrase that may mean danger, in ``locale`` or English."""
    normal = _normal(text)
    phrases = DANGER_WORDS["en"] + DANGER_WORDS.get(locale.split("_")[0], ())
    return any(_normal(phrase) in normal for phrase in phrases)
