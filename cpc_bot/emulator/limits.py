"""Telegram's rules for what a bot may send, with Telegram's own error texts."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

#: The HTML tags Telegram accepts with parse_mode=HTML.
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "blockquote", "tg-spoiler", "span", "tg-emoji"}


class ApiError(Exception):
    """A Bot API error: the HTTP code and Telegram's description."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class _EntityParser(HTMLParser):
    """Checks tags the way Telegram does and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\"")
        if tag == "span" and ("class", "tg-spoiler") not in attrs:
            raise ApiError(400, "Bad Request: can't parse entities: Tag \"span\" must have class \"tg-spoiler\"")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the person sees: tags parsed away and entities unescaped (raises like Telegram)."""
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ApiError(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{parser.stack[-1]}\"")
    return "".join(parser.visible)


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length Telegram counts: after entities are parsed, in UTF-16 code units as Telegram does."""
    return len(visible_text(text, parse_mode).strip().encode("utf-16-le")) // 2


def check_inline_keyboard(markup: Any) -> None:
    """Buttons need text and one action; callback_data is 1-64 bytes."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or any(not isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            actions = [k for k in ("callback_data", "url", "switch_inline_query", "web_app", "copy_text") if k in button]
            if len(actions) != 1:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: exactly one action is needed")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
