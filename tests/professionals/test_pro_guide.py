"""The professionals' guide (issue 17, point 4): /guide for someone who works with children, and the
professionals' menu; every fact traced to its seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons

PRO, PARENT = 4601, 4602
GUIDE = PROJECT_ROOT / "guides" / "pro_guide.yaml"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
TOPICS = ["Before the conference", "On the day", "If you cannot go", "Your view: is a plan needed?",
          "The four categories", "When professionals disagree", "After the conference"]


async def read(emulator: BotApiEmulator, user_id: int, topic: str) -> str:
    user = emulator.user(user_id)
    await user.tap(topic)
    page = emulator.last_message(user_id).visible
    await user.tap("📖 All topics")
    return page


async def test_guide_for_a_professional(harness: BotHarness, emulator: BotApiEmulator) -> None:
    pro = emulator.user(PRO, language_code="en")
    await pro.say("/start")
    await pro.tap("🧑‍💼 I work with children")
    await pro.say("/guide")
    contents = emulator.last_message(PRO)
    assert contents.visible.startswith("Guide for professionals")
    assert buttons(contents) == [*TOPICS, "🏠 Menu"]

    day = await read(emulator, PRO, "On the day")
    for sentence in ("Arrive at least 30 minutes early.", "Read every report before the meeting starts.",
                     "Do not expect paper copies.", "give a short spoken summary",
                     "– what you are worried about, now and in the past",
                     "– complicating factors: things that make it harder, but do not cause the harm themselves",
                     "– the family's strengths", "– what keeps the child safe"):
        assert sentence in day, sentence
    absent = await read(emulator, PRO, "If you cannot go")
    for sentence in ("– still send your written report on time", "– tell the chair",
                     "– send a colleague in your place who knows the case and is well prepared"):
        assert sentence in absent, sentence
    opinion = await read(emulator, PRO, "Your view: is a plan needed?")
    assert "Give a view for every child the conference is about, not only the child you know." in opinion
    categories = await read(emulator, PRO, "The four categories")
    assert all(f"• {name}:" in categories for name in ("Neglect", "Physical abuse", "Emotional abuse", "Sexual abuse"))
    disagree = await read(emulator, PRO, "When professionals disagree")
    assert "follow your area's escalation procedure (some areas call it the resolution procedure)" in disagree
    after = await read(emulator, PRO, "After the conference")
    for sentence in ("help to write the outline plan", "the core groups and the review conference",
                     "It first meets within 10 working days of the first conference",
                     "The first review conference is no later than 3 months after the first conference"):
        assert sentence in after, sentence
    before = await read(emulator, PRO, "Before the conference")
    assert "Talk your report through with the family before you send it, and give them a copy." in before

    # From the professionals' menu too.
    await pro.say("/start")
    await pro.tap("🧑‍💼 I work with children")
    assert "📖 Guide for professionals" in buttons(emulator.last_message(PRO))
    await pro.tap("📖 Guide for professionals")
    assert emulator.last_message(PRO).visible.startswith("Guide for professionals")

    # A parent still reads the parents' guide.
    parent = emulator.user(PARENT, language_code="en")
    await parent.say("/start")
    await parent.tap("👪 I am a parent or carer")
    await parent.say("/guide")
    assert emulator.last_message(PARENT).visible.startswith("About the conference")


async def test_guide_in_polish_for_a_polish_professional(harness: BotHarness, emulator: BotApiEmulator) -> None:
    pro = emulator.user(PRO, language_code="pl")
    await pro.say("/start")
    await pro.tap("🧑‍💼 Pracuję z dziećmi")
    await pro.say("/guide")
    contents = emulator.last_message(PRO)
    assert "Guide for professionals" not in contents.visible
    assert len(buttons(contents)) == len(TOPICS) + 1  # and 🏠 Menu


def test_every_page_names_its_seed_and_quotes_it() -> None:
    """Each page says where its facts come from: a seed file quoted word for word, or national guidance."""
    def flat(text: str) -> str:
        return " ".join(text.replace("’", "'").split())

    pages = yaml.safe_load(GUIDE.read_text(encoding="utf-8"))["pages"]
    assert [page["title"] for page in pages] == TOPICS
    for page in pages:
        assert page.get("source"), page["key"]
        for source in page["source"]:
            cited = re.match(r'(\d{3}_[0-9a-f]{16}\.txt): "(.{12,})"$', source)
            if cited is None:
                assert source.startswith("Working Together to Safeguard Children"), source
                continue
            if not SEEDS.is_dir():
                pytest.skip("the seed documents are kept next to the repository")
            assert flat(cited.group(2)) in flat((SEEDS / cited.group(1)).read_text(encoding="utf-8")), source
