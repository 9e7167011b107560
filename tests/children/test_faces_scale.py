"""A child's 0-10 scale with faces: two even rows that fit a phone 390 px wide, each button one
number and one picture on one line, the same way on every button."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from fontTools.ttLib import TTFont

from cpc_bot.documents.pdf import FONT_DIR
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness

CHILD = 6101
PROMPT = "How safe do you feel at home?"
NAVIGATION = [["⬅️ Back", "Skip ➡️", "🏠 Menu"], ["💾 Save and finish later"], ["🆘 I don't feel safe right now"]]

#: A phone 390 CSS px wide (iPhone 12 to 15), in the narrowest place the keyboard is shown: the
#: demo page's bubble (85% of the chat, 12 px padding). Telegram's apps give it the bubble's full
#: width, so what fits here fits there. A row shares its width equally; the gap between buttons,
#: their padding and border are read from the page (emulator/static/chat.css); the text is 15 px.
KEYBOARD = (390 - 2 * 12) * 0.85 - 2 * 12
FONT_PX = 15
PAGE = (files("cpc_bot.emulator") / "static" / "chat.css").read_text(encoding="utf-8")
ROW_RULE = re.search(r"\.row \{([^}]*)\}", PAGE).group(1)  # type: ignore[union-attr]
BUTTONS_RULE = re.search(r"\.row button:not\(:only-child\) \{([^}]*)\}", PAGE).group(1)  # type: ignore[union-attr]
GAP = int(re.search(r"gap:(\d+)px", ROW_RULE).group(1))  # type: ignore[union-attr]
BUTTON_FRAME = 2 * (int(re.search(r"padding:\d+px (\d+)px", BUTTONS_RULE).group(1)) + 1)  # type: ignore[union-attr]
#: An emoji is drawn wider than a letter: Noto Color Emoji advances 1.245 em, Apple's about 1.2.
EMOJI_EM = 1.25


@cache
def _advances() -> tuple[dict[int, int], int]:
    font = TTFont(FONT_DIR / "NotoSans-Regular.ttf")
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    return {code: metrics[name][0] for code, name in cmap.items()}, font["head"].unitsPerEm


def text_width(label: str) -> float:
    """The label's width in px: digits from the bundled Noto Sans, pictures as emoji."""
    advances, per_em = _advances()
    return sum(FONT_PX * (advances[ord(ch)] / per_em if ord(ch) in advances and ord(ch) < 0x2000 else EMOJI_EM)
               for ch in label)


def keyboard(message: object) -> list[list[str]]:
    return [[b["text"] for b in row] for row in message.reply_markup["inline_keyboard"]]  # type: ignore[attr-defined]


async def test_the_faces_scale_is_two_even_rows_that_fit_a_phone(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = emulator.user(CHILD, first_name="Mo", language_code="en")
    await child.say("/start")
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am under 12")
    await child.tap("📝 Have your say")
    for _ in range(10):
        if PROMPT in emulator.last_message(CHILD).visible:
            break
        labels = [label for row in keyboard(emulator.last_message(CHILD)) for label in row]
        await child.tap("Next ➡️" if "Next ➡️" in labels else "Skip ➡️")
    scale = emulator.last_message(CHILD)
    assert "0 = Not safe at all 😢" in scale.visible and "10 = Really safe 😀" in scale.visible

    rows = keyboard(scale)
    assert rows == [["0😢", "1😢", "2😟", "3😟", "4😐", "5😐"], ["6😐", "7🙂", "8🙂", "9😀", "10😀"], *NAVIGATION]
    # On a 390 px phone each label fits its button on one line (the page, like Telegram, never
    # wraps a label); the one two-digit number is in the shorter row, where the buttons are wider.
    assert "white-space:nowrap" in BUTTONS_RULE
    for row in rows[:2]:
        inner = (KEYBOARD - GAP * (len(row) - 1)) / len(row) - BUTTON_FRAME
        for label in row:
            assert text_width(label) <= inner, (label, round(text_width(label), 1), round(inner, 1))

    # Coming back to it: the chosen number shows 🔘 in its face's place, so every button keeps
    # one number and one picture, and the words above say the answer with its face.
    await child.tap("7🙂")
    assert PROMPT not in emulator.last_message(CHILD).visible
    await child.tap("⬅️ Back")
    again = emulator.last_message(CHILD)
    assert "Your answer now: 7 out of 10 🙂" in again.visible
    rows = keyboard(again)
    assert rows[:2] == [["0😢", "1😢", "2😟", "3😟", "4😐", "5😐"], ["6😐", "7🔘", "8🙂", "9😀", "10😀"]]
    assert all(re.fullmatch(r"\d{1,2}(😢|😟|😐|🙂|😀|🔘)", label) for row in rows[:2] for label in row)
