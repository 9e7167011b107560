"""Every language, every kind of user: nothing the bot sends breaks Telegram's limits.

Telegram refuses a text over 4,096 characters, a caption over 1,024, button data over 64
bytes or broken markup; the emulator refuses them the same way and keeps a list. A longer
translation (Portuguese and Romanian run about a third longer than English), a placeholder
filled with a long answer or a translated tag can each break a message that was fine in English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.i18n.catalog import available_locales
from tests.helpers import BotHarness, answer_the_rest, register_conference

LOCALES = PROJECT_ROOT / "locales"
PARENT, CHILD, TEEN, PRO = 9101, 9102, 9103, 9104


def translator(lang: str, locales: Path = LOCALES):  # noqa: ANN201 - a gettext function
    return Translations.load(str(locales), [lang], "messages").gettext


@pytest.mark.parametrize("lang", available_locales(LOCALES))
async def test_every_message_fits_telegram_in_every_language(
        harness: BotHarness, emulator: BotApiEmulator, lang: str) -> None:
    t = translator(lang, harness.settings.locales_dir)
    # A long answer (the most a text step keeps is 4,000 characters) fills the placeholders
    # of the review screen and the report message.
    long_words = ((t("Yes") + " ") * 200)[:1000]

    parent = emulator.user(PARENT, language_code=lang)
    await parent.say("/start")
    await parent.tap(t("👪 I am a parent or carer"))
    await parent.tap("📝 " + t("Prepare your views"))
    await answer_the_rest(parent, emulator, PARENT, words=long_words, t=t)
    for command in ("/report", "/help", "/mydata", "/language", "/delete"):
        await parent.say(command)

    for user_id, age in ((CHILD, "I am under 12"), (TEEN, "I am 12 or older")):
        child = emulator.user(user_id, language_code=lang)
        await child.say("/start")
        await child.tap(t("🧒 I am a child or young person"))
        await child.tap(t(age))
        await child.tap("📝 " + t("Have your say"))
        await answer_the_rest(child, emulator, user_id, words=long_words, t=t)

    pro = emulator.user(PRO, language_code=lang)
    await register_conference(pro, t)

    assert emulator.rejected == []
    # Each finished: the parent's report and both booklets arrived as PDFs, the conference is registered.
    for user_id in (PARENT, CHILD, TEEN):
        assert [d for d in emulator.documents(user_id) if (d.file_name or "").endswith(".pdf")], (lang, user_id)
    assert t("What would you like to do?") != "What would you like to do?" or lang == "en"
