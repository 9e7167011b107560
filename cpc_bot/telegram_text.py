"""Text measured the way Telegram measures it, and long texts cut where Telegram would refuse them.

Telegram counts a message's length after the HTML is parsed (tags do not count, ``&amp;`` is one
character) in UTF-16 code units: most emoji count two. A message may hold 4,096 of them, a
caption 1,024. Python's ``len`` counts code points, so an emoji-heavy answer of 3,000 characters
can be 6,000 units long and be refused, and with it the buttons under it.

Written here on the standard library's HTML parser: aiogram builds HTML but has no parser for it,
and the few tags the bot uses need no more.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

#: Telegram's limits, in UTF-16 code units after entity parsing.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

ELLIPSIS = "…"


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (an emoji outside the BMP takes two)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class _Tokens(HTMLParser):
    """The HTML as tokens: ("start", tag, raw), ("end", tag, ""), ("text", words, "")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, self.get_starttag_text() or f"<{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag, ""))

    def handle_data(self, data: str) -> None:
        if self.tokens and self.tokens[-1][0] == "text":
            self.tokens[-1] = ("text", self.tokens[-1][1] + data, "")
        else:
            self.tokens.append(("text", data, ""))


def _tokens(html: str) -> list[tuple[str, str, str]]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def visible(html: str) -> str:
    """What the person reads: the text of an HTML message, tags parsed away, entities decoded."""
    return "".join(words for kind, words, _raw in _tokens(html) if kind == "text")


def telegram_length(text: str, *, html: bool = True) -> int:
    """A message's length as Telegram counts it against its limits: UTF-16 units of the text
    after entities are parsed, without the leading and trailing white space it trims."""
    return utf16_units((visible(text) if html else text).strip())


def fits(text: str, limit: int = MESSAGE_LIMIT, *, html: bool = True) -> bool:
    return telegram_length(text, html=html) <= limit


def _prefix_within(text: str, units: int) -> int:
    """The most characters of ``text`` that fit in ``units`` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return index
    return len(text)


def _break_at(text: str, end: int) -> int:
    """Where to cut ``text[:end]``: after a blank line, a line, or a word when there is one in
    its second half; otherwise at ``end``."""
    for mark in ("\n\n", "\n", " "):
        at = text.rfind(mark, 0, end)
        if at > end // 2:
            return at + len(mark)
    return end


def clip(text: str, units: int) -> str:
    """Plain ``text`` shortened to at most ``units`` UTF-16 units, at a word where it can be,
    with "…" at the end when anything was cut."""
    if utf16_units(text) <= units:
        return text
    end = _break_at(text, _prefix_within(text, max(units - 1, 0)))
    return text[:end].rstrip() + ELLIPSIS


def fair_cap(lengths: list[int], budget: int) -> int | None:
    """The largest share each of several texts may take so that together they fit ``budget``
    (short ones whole, long ones cut to the same size); None when all fit whole."""
    if sum(lengths) <= budget:
        return None
    left, remaining = budget, sorted(lengths)
    while remaining:
        cap = left // len(remaining)
        if remaining[0] > cap:
            return max(cap, 0)
        left -= remaining.pop(0)
    return max(left, 0)


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``html`` in parts of at most ``limit`` units each, cut between paragraphs, lines or words
    where it can be. Tags open at a cut are closed at the end of one part and opened again at
    the start of the next, so each part is valid HTML on its own. Blank parts are left out."""
    parts: list[str] = []
    pieces: list[str] = []
    #: The tags open now: (tag, raw start tag, index in ``pieces`` where it was opened).
    open_tags: list[tuple[str, str, int]] = []
    used = 0

    def flush() -> None:
        nonlocal pieces, used
        # A tag opened at the very end of a part has nothing in it yet: it opens in the next one.
        keep = list(pieces)
        closing = []
        for tag, _raw, at in reversed(open_tags):
            if at == len(keep) - 1 and all(not p for p in keep[at + 1:]):
                keep.pop()
            else:
                closing.append(f"</{tag}>")
        part = "".join(keep) + "".join(closing)
        if visible(part).strip():
            parts.append(part)
        pieces = []
        for index, (tag, raw, _at) in enumerate(open_tags):
            open_tags[index] = (tag, raw, len(pieces))
            pieces.append(raw)
        used = 0

    for kind, words, raw in _tokens(html):
        if kind == "start":
            open_tags.append((words, raw, len(pieces)))
            pieces.append(raw)
        elif kind == "end":
            if open_tags and open_tags[-1][0] == words:
                open_tags.pop()
            pieces.append(f"</{words}>")
        else:
            rest = words
            while rest:
                room = limit - used
                if utf16_units(rest) <= room:
                    pieces.append(escape(rest, quote=False))
                    used += utf16_units(rest)
                    break
                end = _prefix_within(rest, room)
                cut = _break_at(rest, end)
                if cut == end and used > 0:
                    flush()  # no good place to cut in what is left of this part: start a new one
                    continue
                cut = max(cut, 1)
                pieces.append(escape(rest[:cut], quote=False))
                flush()
                rest = rest[cut:].lstrip(" \n")
    flush()
    return parts
