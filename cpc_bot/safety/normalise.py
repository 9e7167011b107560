"""What people really type, made comparable: one normal form for the text and the patterns.

Both the patterns and every message go through the same steps, so a pattern written
"zabije sie" matches "Zabiję się", "ZABIJE SIE" and "zabiję\u200bsię":

- NFKC (full-width and compatibility letters), then casefold;
- invisible format characters removed (zero-width spaces and joiners, bidi marks, soft
  hyphens), apostrophes removed ("don't" -> "dont");
- look-alike letters from Cyrillic and Greek put back to the Latin letter they imitate
  (none of our nine languages is written in them);
- accents on Latin letters dropped (Polish, Romanian and Portuguese are often typed without);
- Arabic-script spellings unified (hamza seats, alef forms, yeh and kaf in their Arabic and
  Urdu forms, teh marbuta and heh; short vowel marks and tatweel removed);
- letters repeated three times or more ("pleeeease") give extra forms with the run cut to
  one and to two letters; digits inside a Latin word ("k1ll", "su1cide") give an extra form
  with the letters they stand for. Both forms are kept, since Arabizi uses digits as letters.

All of it is ``str.translate`` with tables built once, and a few regular expressions, so a
4,000-character message is normalised in well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _latin_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii():
            table[code] = base.casefold()
    # Letters that have no decomposition but are typed as the plain letter.
    table.update({ord("ł"): "l", ord("Ł"): "l", ord("ø"): "o", ord("đ"): "d", ord("ħ"): "h", ord("ı"): "i"})
    return table


#: Cyrillic and Greek letters that look like Latin ones (lower case; the text is casefolded first).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "β": "b", "η": "n", "μ": "u", "ѵ": "v", "һ": "h", "ɩ": "i",
}

#: Arabic-script letters written in several ways; short vowels and tatweel carry no meaning here.
_ARABIC = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ي": "ی", "ى": "ی", "ې": "ی", "ئ": "ی",
    "ك": "ک", "ڪ": "ک",
    "ة": "ہ", "ه": "ہ", "ۃ": "ہ", "ۀ": "ہ",
    "ؤ": "و",
    "ـ": "",
    "ھ": "ہ",  # Urdu do-chashmi he, typed for heh and the other way round (مجہے / مجھے)
}

#: Indic marks people type inconsistently: Gurmukhi nukta and addak dropped, tippi as bindi;
#: Gujarati anusvara dropped.
_INDIC = {"\u0a3c": None, "\u0a71": None, "\u0a70": "\u0a02", "\u0a82": None}
_ARABIC_MARKS = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), *range(0x0610, 0x061B)]

#: Invisible characters people (or keyboards, or someone hiding words) put inside text.
_INVISIBLE = [0x00AD, 0x034F, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
              *range(0x2060, 0x2070), 0xFEFF]
_APOSTROPHES = "'’‘`´ʼ"

_TABLE: dict[int, str | None] = {}
_TABLE.update(_latin_fold_table())
_TABLE.update({ord(k): v for k, v in _CONFUSABLES.items()})
_TABLE.update({ord(k): v for k, v in _ARABIC.items()})
_TABLE.update({ord(k): v for k, v in _INDIC.items()})
_TABLE.update({code: None for code in _ARABIC_MARKS})
_TABLE.update({code: None for code in _INVISIBLE})
_TABLE.update({ord(c): None for c in _APOSTROPHES})

_ASCII_TABLE = str.maketrans("", "", "'`")

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"})

#: A word: letters, marks (Indic vowel signs are marks, not letters) and digits. Bengali's danda
#: (U+0964, U+0965) ends a sentence, so it is not part of a word.
_WORD = re.compile(r"[\w\u0300-\u036F\u0900-\u0963\u0966-\u0DFF\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]+")
_LEET_WORD = re.compile(r"[a-z@$]*[0-9@$!][a-z0-9@$!]*")
_NON_WORD = re.compile(r"[^\w\u0300-\u036F\u0900-\u0963\u0966-\u0DFF\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\n]+")
#: A word of six Latin letters or more, alone between spaces (the near-miss candidates).
LONG_LATIN_WORD = re.compile(r" ([a-z]{6,})(?= )")  # in marked text (:func:`mark`): group 1
_SENTENCE_END = re.compile(r"[.!?;\n\r\u0964\u0965\u06D4\u061F\u061B\u3002]+")
_REPEATS = re.compile(r"(.)\1{2,}")
_UNUSUAL = re.compile(r"([^\W\d_])\1\1|[a-z][0-9]|[0-9][a-z]")
_TRIPLE = re.compile(r"(\w)\1\1")
_DIGIT = re.compile("[0-9]")
_start = re.Match.start


def fold(text: str) -> str:
    """The normal form of a piece of text (a message or a pattern), before it is cut into words."""
    if text.isascii():  # already NFKC; only the apostrophes to remove (the common case, and fast)
        return text.lower().translate(_ASCII_TABLE)
    return unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)


@dataclass(frozen=True)
class Words:
    """A sentence (or a message) cut into words. ``words`` as typed (normalised); ``readings``:
    the same words read again with other spellings (digits as letters, repeated letters cut),
    each as long as ``words``; usually none."""

    words: list[str]
    readings: list[list[str]]


def words(text: str, *, folded: bool = False, plain: bool = False) -> Words:
    """Cut text into words (``folded``: it is normalised already; ``plain``: it is known to hold
    no unusual spellings, so none are looked for)."""
    normal = text if folded else fold(text)
    found = _WORD.findall(normal)
    readings: list[list[str]] = []
    unusual = {} if plain else _unusual_words(normal)
    if unusual:
        more = max(len(forms) for forms in unusual.values())
        for reading in range(1, more):
            readings.append([unusual[w][min(reading, len(unusual[w]) - 1)] if w in unusual else w for w in found])
    return Words(found, readings)


def sentences(normal: str) -> list[str]:
    """Normalised text cut into sentences."""
    return _SENTENCE_END.split(normal)


class _Marks(dict):
    """fold's table, and every other character put in it the first time it is seen: a sentence
    end becomes a line break, any other character that is not part of a word a space, a word
    character itself. So marking a text is one ``str.translate``, not two regular expressions."""

    def __missing__(self, code: int) -> int | str:
        char = chr(code)
        value: int | str = " \n " if _SENTENCE_END.match(char) else " " if _NON_WORD.match(char) else code
        if len(self) < 200_000:
            self[code] = value
        return value


_MARKS = _Marks(_TABLE)
# The characters our languages, punctuation and emoji are written with, learnt now rather than
# by the first messages after a start (a few milliseconds, once).
for _first, _last in ((0x20, 0xAFF), (0x2000, 0x2BFF), (0xFB50, 0xFEFF), (0x1F300, 0x1FAFF)):
    for _code in range(_first, _last + 1):
        _MARKS[_code]  # noqa: B018 (fills the table)
_ASCII_MARKS = bytes(
    ord("\n") if _SENTENCE_END.match(chr(code)) else ord(" ") if _NON_WORD.match(chr(code)) else code
    for code in range(256))


def mark(text: str) -> str:
    """A message normalised as :func:`fold` does, as words with one space between them and a
    line break (with spaces around it) between sentences, and a space at each end:
    ``" he hits me \n help "``. What the matching runs over; ``split("\n")`` gives the sentences."""
    if text.isascii():
        # Bytes: one table lookup per character in C (sentence ends to a line break, anything
        # else that is not part of a word to a space, apostrophes dropped).
        text = text.lower().encode().translate(_ASCII_MARKS, b"'`").decode().replace("\n", " \n ")
    else:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_MARKS)
    return " " + " ".join(filter(None, text.split(" "))) + " "


def readings(normal: str) -> list[str]:
    """The text, then (rarely) the same text read with other spellings of its unusual words:
    digits for letters, letters typed three times or more."""
    unusual = _unusual_words(normal)
    if not unusual:
        return [normal]
    more = max(len(forms) for forms in unusual.values())
    which = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, unusual)) + r")(?!\w)")
    return [normal] + [which.sub(lambda m, r=reading: unusual[m.group()][min(r, len(unusual[m.group()]) - 1)], normal)
                       for reading in range(1, more)]


def _unusual_words(normal: str) -> dict[str, tuple[str, ...]]:
    """The words typed with digits for letters or a letter three times, with their other
    spellings. Most texts have none: a quick look first, as the regular expression (a
    back-reference at every letter) is slow on long text."""
    if _TRIPLE.search(normal) is None and not any(
            normal[i - 1:i].isalpha() or normal[i + 1:i + 2].isalpha() for i in map(_start, _DIGIT.finditer(normal))):
        return {}
    unusual: dict[str, tuple[str, ...]] = {}
    for match in _UNUSUAL.finditer(normal):
        left = match.start()
        while left > 0 and _WORD.match(normal, left - 1, left) is not None:
            left -= 1
        word = _WORD.match(normal, left)
        if word is not None and word.group() not in unusual:
            unusual[word.group()] = _variants(word.group())
    return {word: forms for word, forms in unusual.items() if len(forms) > 1}


def unusual_keys() -> list[str]:
    """What marks a word as unusual, as strings to find: every letter of our scripts typed three
    times ("aaa"), a Latin letter beside a digit ("k1", "1l")."""
    letters = [chr(code) for first, last in ((0x61, 0x7A), (0x620, 0x6FF), (0x980, 0xAFF))
               for code in range(first, last + 1) if chr(code).isalpha()]
    digits = "0123456789"
    return ([letter * 3 for letter in letters] + [a + d for a in "abcdefghijklmnopqrstuvwxyz" for d in digits]
            + [d + a for a in "abcdefghijklmnopqrstuvwxyz" for d in digits])


def _variants(word: str) -> tuple[str, ...]:
    found = [word]
    if len(word) >= 3 and word[0].isalpha() and word.isascii() and _LEET_WORD.fullmatch(word):
        letters = word.translate(_LEET)
        if letters.isalpha():  # "d1e", "k1ll", "su1cide"; not "3pm", "2nd" or Arabizi "3ayez"
            found.append(letters)
    for form in list(found):
        if _REPEATS.search(form):
            found.append(_REPEATS.sub(r"\1", form))
            found.append(_REPEATS.sub(r"\1\1", form))
    return tuple(dict.fromkeys(found))
