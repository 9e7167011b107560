"""A child's read-back always ends with its Send button, however long (as Telegram counts) their words are.

Telegram counts a message in UTF-16 units after the HTML is parsed: an emoji counts two. Words
under 4,096 characters can be over Telegram's 4,096 units, and a refused read-back took its
Send button with it.
"""

from __future__ import annotations

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons, join_with_link, make_verified
from tests.professionals.test_conferences import invite_links, register

SW, CHILD = 6101, 6102


def utf16_units(text: str) -> int:
    """Telegram's count (written out here, not the bot's own function under test)."""
    return len(text.encode("utf-16-le")) // 2


PAGES = ("What is working well", "The worries", "Why others are worried", "What needs to change", "Who could help")


async def test_a_long_emoji_heavy_read_back_still_shows_the_send_button(harness: BotHarness, emulator: BotApiEmulator) -> None:
    await register(emulator, SW, "15/12/2026", area="Leicester")
    await make_verified(harness.app, SW, "leicester", name="Sam Patel", job="social worker",
                        organisation="Leicester City Council")
    links = await invite_links(emulator, SW)
    child = emulator.user(CHILD, language_code="en")
    await join_with_link(emulator, CHILD, links[1])
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am 12 or older")
    await child.tap("📝 Have your say")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    answers = [f"Page {n} " + "😢🙂 " * 210 + f"end of page {n}" for n in range(1, 6)]
    together = "".join(answers)
    assert len(together) < 4096 < utf16_units(together)  # short in characters, too long for Telegram
    for words in answers:
        await child.say(words)
        await child.tap("✅ Done")
    await child.tap("Skip ➡️")  # a drawing or photo
    await child.tap("Skip ➡️")  # how safe
    await child.tap("Skip ➡️")  # questions
    await child.tap("Skip ➡️")  # taking part
    await child.tap("Next ➡️")  # if you do not agree
    await child.tap("Skip ➡️")  # my numbers
    await child.tap("Skip ➡️")
    await child.tap("✅ Finish")
    for page in PAGES:
        await child.tap("🔒 " + page)
    await child.tap("✅ Done choosing")

    read_back = emulator.last_message(CHILD)
    assert buttons(read_back) == ["📤 Send to Sam Patel (15 Dec)", "✏️ Change my choices"]
    assert "You chose to share:" in read_back.visible and "Sam Patel, social worker" in read_back.visible
    for n, page in enumerate(PAGES, start=1):
        assert f"👀 {page}\nPage {n} 😢🙂" in read_back.visible
    assert "more words" in read_back.visible  # says how much more there is
    assert utf16_units(read_back.visible.strip()) <= 4096
    assert emulator.rejected == []  # Telegram (the emulator) accepted every message

    await child.tap("📤 Send to Sam Patel (15 Dec)")
    assert emulator.last_message(CHILD).visible.startswith("Sent to Sam Patel")
    assert emulator.documents(SW)[-1].file_name.endswith(".pdf")
    assert emulator.rejected == []
