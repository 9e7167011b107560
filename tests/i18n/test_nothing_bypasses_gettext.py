"""Nothing a person reads bypasses the translation catalogue.

A pseudo-translation wraps every message in ⟦ ⟧. A parent, a child, a young person and a
professional then use the bot in that "language" (Russian, for babel's dates, which have no
Latin letters). Once the marked text, the words they typed and a few names that never change
are taken out, no English word may be left: any text that reached the screen without gettext
would still be there in English.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from cpc_bot.config import PROJECT_ROOT, Settings
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.i18n.locale import LANGUAGES
from tests.helpers import (
    BotHarness,
    answer_the_rest,
    buttons,
    make_settings,
    make_verified,
    register_conference,
)
from tests.parents.test_mydata_labels import shown

PSEUDO = "ru"
TYPED = "Yes that is right"
#: Names that stay the same in every language.
NEVER_TRANSLATED = {"CPC", "Companion", "PDF", "Word", "Telegram", "Childline", "NSPCC", "ICPC", "RCPC", "Mo"}
PARENT, CHILD, TEEN, PRO = 9201, 9202, 9203, 9204


def pseudo(text: str) -> str:
    return f"⟦{text}⟧"


@pytest.fixture
def bot_settings(emulator: BotApiEmulator, tmp_path: Path, dialogs_dir: Path) -> Settings:
    locales = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales, ignore=shutil.ignore_patterns("*.mo"))
    with (locales / "messages.pot").open("rb") as fh:
        catalog = read_po(fh, locale=PSEUDO)
    for message in catalog:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            message.string = tuple(pseudo(ids[min(i, len(ids) - 1)]) for i in range(catalog.num_plurals)) \
                if isinstance(message.id, tuple) else pseudo(message.id)
    (locales / PSEUDO / "LC_MESSAGES").mkdir(parents=True)
    with (locales / PSEUDO / "LC_MESSAGES" / "messages.po").open("wb") as fh:
        write_po(fh, catalog)
    return make_settings(emulator.base_url, tmp_path, dialogs_dir=dialogs_dir, locales_dir=locales)


def leftover_english(text: str) -> list[str]:
    previous = None
    while previous != text:  # a translated message can hold other translated messages
        previous, text = text, re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
    for fixed in (TYPED, *LANGUAGES.values()):  # what they typed; each language's own name for itself
        text = text.replace(fixed, " ")
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in NEVER_TRANSLATED]


async def test_every_text_people_read_comes_from_the_catalogue(harness: BotHarness, emulator: BotApiEmulator) -> None:
    t = pseudo
    parent = emulator.user(PARENT, first_name="Mo", language_code=PSEUDO)
    await parent.say("/start")
    await parent.tap(t("👪 I am a parent or carer"))
    await parent.tap(t("📖 About the conference"))
    await parent.say("/start")
    await parent.tap(t("👪 I am a parent or carer"))
    await parent.tap("📝 " + t("Prepare your views"))
    await answer_the_rest(parent, emulator, PARENT, words=TYPED, t=t, short_words=TYPED)
    for command in ("/report", "/help", "/mydata", "/language", "/delete", "/nonsense"):
        await parent.say(command)

    for user_id, age in ((CHILD, "I am under 12"), (TEEN, "I am 12 or older")):
        child = emulator.user(user_id, first_name="Mo", language_code=PSEUDO)
        await child.say("/start")
        await child.tap(t("🧒 I am a child or young person"))
        await child.tap(t(age))
        await child.tap("📝 " + t("Have your say"))
        await answer_the_rest(child, emulator, user_id, words=TYPED, t=t, short_words=TYPED)

    pro = emulator.user(PRO, first_name="Mo", language_code=PSEUDO)
    await register_conference(pro, t)
    await pro.tap(t("🔗 Invite links"))  # not verified yet: told what verification unlocks
    await pro.tap(t("✅ Get verified"))
    await make_verified(harness.app, PRO, name=TYPED, job=TYPED, organisation=TYPED)
    await pro.say("/start")
    await pro.tap(t("🧑‍💼 I work with children"))
    await pro.tap(next(b for b in buttons(emulator.last_message(PRO)) if b.startswith("📅")))
    await pro.tap(t("🔗 Invite links"))
    await pro.say("/start")
    await pro.say("/mydata")

    seen = []
    for user_id in (PARENT, CHILD, TEEN, PRO):
        for message in emulator.messages(user_id):
            seen.extend([message.visible.replace("AB-123", ""), *buttons(message)])
        seen.extend(emulator.callback_answers(user_id))
        # The /mydata page: every code in it shown by its label (the pro's also lists their nudges).
        pages = [d for d in emulator.documents(user_id) if (d.file_name or "").endswith(".html")]
        seen.extend(shown(emulator.file(d.file_id).data.decode()).replace("AB-123", "").replace("sam.patel@example.org", "")
                    for d in pages)
    assert len(seen) > 100
    untranslated = {text[:80]: words for text in seen if (words := leftover_english(text))}
    assert untranslated == {}
