"""How hard a text is to read: sentence length and the Flesch-Kincaid grade. Pure.

Used by the tests to keep children's texts at a primary-school level. The syllable
count is the usual vowel-group estimate; good enough to compare texts, not to grade
a single word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"[A-Za-z']+")


def syllables(word: str) -> int:
    word = word.lower().strip("'")
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    longest_sentence: int
    grade: float  # Flesch-Kincaid grade level: US school grade; 5 is about age 10-11

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0


def measure(text: str) -> Readability:
    # Bullet points and line breaks end a sentence as much as a full stop does.
    sentences = [s for s in (m.group().strip(" •-") for m in _SENTENCE.finditer(text)) if _WORD.search(s)]
    words = [w for s in sentences for w in _WORD.findall(s)]
    if not words:
        return Readability(0, 0, 0, 0.0)
    per_sentence = len(words) / len(sentences)
    per_word = sum(syllables(w) for w in words) / len(words)
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    longest = max(len(_WORD.findall(s)) for s in sentences)
    return Readability(len(sentences), len(words), longest, round(grade, 1))
