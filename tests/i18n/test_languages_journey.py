"""A parent prepares their views in Urdu, and in Polish, from the first message to the PDF.

Buttons are tapped by their label in the parent's language, looked up in the same catalogue
the bot uses, so the test reads like the parent's screen and follows any wording change.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from babel.support import Translations
from pypdf import PdfReader

from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.i18n.bidi import RLM, mostly_rtl
from tests.helpers import BotHarness, buttons

PARENT = 8101

#: The parent's own words, in their language, with a Latin name inside (the child's).
ANSWERS = {
    "ur": {"child": "Amira", "good": "ہم ہر روز Amira کے ساتھ کتابیں پڑھتے ہیں۔",
           "worry": "انہیں فکر ہے کہ Amira اسکول نہیں جاتی۔", "safer": "میں اسے ہر صبح اسکول چھوڑنے جاؤں گی۔",
           "name": "Farzana Begum"},
    "pl": {"child": "Zosia", "good": "Codziennie czytamy razem książki.",
           "worry": "Martwią się, że Zosia opuszcza szkołę.", "safer": "Będę ją odprowadzać do szkoły.",
           "name": "Katarzyna Nowak"},
}


def translator(harness: BotHarness, lang: str) -> Any:
    return Translations.load(str(harness.settings.locales_dir), [lang], "messages").gettext


def outline_titles(data: bytes) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(PdfReader(io.BytesIO(data)).outline)
    return titles


@pytest.mark.parametrize("lang", ["ur", "pl"])
async def test_parent_journey_in_their_language(harness: BotHarness, emulator: BotApiEmulator, lang: str) -> None:
    t = translator(harness, lang)
    words = ANSWERS[lang]
    parent = emulator.user(PARENT, first_name="Parent", language_code=lang)

    await parent.say("/start")
    assert t("👪 I am a parent or carer") in [b.replace(RLM, "") for b in buttons(emulator.last_message(PARENT))]
    await parent.tap(t("👪 I am a parent or carer"))
    await parent.tap("📝 " + t("Prepare your views"))
    await parent.tap(t("Next ➡️"))
    await parent.tap(t("Skip ➡️"))  # conference date
    await parent.tap(t("Skip ➡️"))  # kind of conference
    await parent.tap(t("Skip ➡️"))  # area
    await parent.say(words["child"])
    await parent.tap(t("Skip ➡️"))  # date of birth
    await parent.tap(t("✅ That is every child"))
    await parent.tap(t("Skip ➡️"))  # things the conference should think about
    await parent.say(words["good"])
    await parent.tap(t("✅ Done"))
    await parent.tap(t("Skip ➡️"))
    await parent.say(words["worry"])
    await parent.tap(t("✅ Done"))
    await parent.tap(t("Skip ➡️"))
    await parent.tap(t("Skip ➡️"))
    await parent.tap(t("No"))
    await parent.tap("7")
    await parent.tap(t("Skip ➡️"))
    await parent.tap(t("Skip ➡️"))
    await parent.say(words["safer"])
    await parent.tap(t("✅ Done"))
    # support, next steps, supporters, taking part, needs, questions, their social worker, danger
    # statements and safety goals, the safety network
    for _ in range(9):
        await parent.tap(t("Skip ➡️"))
    await parent.say(words["name"])
    review = emulator.last_message(PARENT)
    assert t("Check your answers. Tap one to change it.") in review.visible
    assert words["good"] in review.visible and words["worry"] in review.visible
    await parent.tap(t("✅ Finish"))

    # Every message was in their language, and an RTL message reads right to left on every
    # line, even one that starts with the child's Latin name.
    sent = [m for m in emulator.messages(PARENT) if m.text]
    assert all(m.text for m in sent)
    if lang == "ur":
        for message in sent:
            if mostly_rtl(message.text):
                assert all(line.startswith(RLM) for line in message.text.split("\n") if line.strip()), message.text
        assert any(words["child"] in m.text for m in sent)

    document = emulator.documents(PARENT)[-1]
    data = emulator.file(document.file_id).data
    titles = outline_titles(data)
    for heading in ("What is going well", "The worries", "How safe are the children now?",
                    "What do you and your family do well to keep your children safe?"):
        assert f"{t(heading)} / {heading}" in titles, (heading, titles)
    assert t("What is going well") != "What is going well"  # really translated
    if lang == "pl":  # Latin script extracts in reading order: their own words, exactly as typed
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
        assert words["good"] in text and words["name"] in text
