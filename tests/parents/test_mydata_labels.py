"""/mydata in words a person reads: every stored code shown by its label, in their language; the
JSON keeps each code with its label beside it ({"code": ..., "label": ...})."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from cpc_bot.documents.mydata import REMINDERS
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.handlers.mydata import keep_data
from cpc_bot.reminders.members import RENDERERS as MEMBER_RENDERERS
from cpc_bot.reminders.parents import RENDERERS as PARENT_RENDERERS
from cpc_bot.reminders.professionals import RENDERERS as PRO_RENDERERS
from cpc_bot.reminders.retention import renderers as retention_renderers
from tests.helpers import BotHarness, make_verified
from tests.i18n.test_every_language import translator
from tests.professionals.test_conferences import invite_links, register

SW, MUM = 4901, 4902


class _Text(HTMLParser):
    """The words a browser shows: tags and the style sheet left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip = tag == "style"
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def shown(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def coded_values(node: Any) -> Iterator[dict[str, Any]]:
    """Every {"code": ..., "label": ...} in the export."""
    if isinstance(node, dict):
        if set(node) == {"code", "label"}:
            yield node
        for value in node.values():
            yield from coded_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from coded_values(value)


async def my_data(harness: BotHarness, emulator: BotApiEmulator, lang: str) -> tuple[str, dict[str, Any], Callable[[str], str]]:
    """A social worker registers an initial conference in Leicester on 5 January 2027 and invites a
    parent; she joins with her name, gives the date in her own questionnaire, and asks for /mydata."""
    t = translator(lang, harness.settings.locales_dir)
    await register(emulator, SW, "05/01/2027", area="Leicester")
    await make_verified(harness.app, SW, "leicester")
    parent_link, _child_link = await invite_links(emulator, SW)
    mum = emulator.user(MUM, first_name="Anna", language_code=lang)
    await mum.say(f"/start {parent_link}")
    await mum.tap(t("✅ Join"))
    await mum.say("Anna Kowalska")
    await mum.say("/start")
    await mum.tap(t("👪 I am a parent or carer"))
    await mum.tap("📝 " + t("Prepare your views"))
    await mum.tap(t("Next ➡️"))
    await mum.say("05/01/2027")
    await mum.tap(t("The first conference"))
    await mum.say("Amira")
    await mum.tap(t("💾 Save and finish later"))
    await harness.app.dispatcher["retention"].sweep()  # plans the notice before the answers are erased
    await mum.say("/mydata")
    page_doc, json_doc = emulator.documents(MUM)[-2:]
    assert page_doc.file_name.endswith(".html") and json_doc.file_name.endswith(".json")
    page = shown(emulator.file(page_doc.file_id).data.decode())
    return page, json.loads(emulator.file(json_doc.file_id).data), t


#: Codes that are also everyday English words of the page ("Your verification as a professional").
ENGLISH_WORDS = {"parent", "child", "professional"}


def assert_no_code_shown(page: str, export: dict[str, Any], *, english: bool = True) -> None:
    codes = {c["code"] for c in coded_values(export) if c["code"]}
    assert {"initial", "leicester", "pending"} <= codes
    for code in codes - (ENGLISH_WORDS if english else set()):
        assert not re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", page), code


async def test_mydata_in_english_says_what_each_thing_is(harness: BotHarness, emulator: BotApiEmulator) -> None:
    page, export, _t = await my_data(harness, emulator, "en")
    for words in ("Language English", "You told me you are A parent or carer",
                  "Discreet mode Off", "Not finished yet · Started on 24 November 2026",
                  "31 December 2026 at 10:00 UK time: Check you have all the reports (Waiting)",
                  ": Reminder that your data will be deleted (Waiting)",
                  "Initial conference, 5 January 2027 at 10:00 UK time, Leicester",
                  "Invited as Parent or carer", "Joined on 24 November 2026", "The name you gave Anna Kowalska"):
        assert words in page, words
    assert_no_code_shown(page, export)
    assert {"parent.reports_by", "retention.notice", "in_progress"} <= {c["code"] for c in coded_values(export)}

    # The JSON: codes for a program, labels beside them for a person.
    assert export["user"]["role"] == {"code": "parent", "label": "A parent or carer"}
    # /start keeps Telegram's language when none was chosen, so the bot's own messages use it too.
    assert export["user"]["language"] == {"code": "en", "label": "English"}
    assert export["questionnaires"][0]["questionnaire"] == {"code": "parent_prepare", "label": "Prepare your views"}
    assert export["questionnaires"][0]["status"] == {"code": "in_progress", "label": "Not finished yet"}
    kinds = [r["kind"] for r in export["reminders"]]
    assert {"code": "parent.reports_by", "label": "Check you have all the reports"} in kinds
    assert {"code": "retention.notice", "label": "Reminder that your data will be deleted"} in kinds
    assert all(r["status"] == {"code": "pending", "label": "Waiting"} for r in export["reminders"])
    [joined] = export["conferences_joined"]
    assert joined["label"] == "Initial conference, 5 January 2027 at 10:00 UK time, Leicester"
    assert joined["kind"] == {"code": "initial", "label": "Initial conference"}
    assert joined["area"] == {"code": "leicester", "label": "Leicester"}
    assert joined["as"] == {"code": "parent", "label": "Parent or carer"}
    assert joined["starts"] == "2027-01-05T10:00:00+00:00" and joined["name_given"] == "Anna Kowalska"

    # The professional's own page names each nudge's deadline and conference, and her verification.
    await emulator.user(SW).say("/mydata")
    page_doc, json_doc = emulator.documents(SW)[-2:]
    sw_page = shown(emulator.file(page_doc.file_id).data.decode())
    sw_export = json.loads(emulator.file(json_doc.file_id).data)
    assert ("First core group meeting, due 19 January 2027 (Initial conference, 5 January 2027)" in sw_page)
    assert "Area Leicester" in sw_page and "My role I am the child's social worker" in sw_page
    assert "Case reference AB-123" in sw_page
    assert sw_export["professional"]["status"] == {"code": "verified", "label": "Verified"}
    assert sw_export["conferences_registered"][0]["role"] == {"code": "social_worker", "label": "I am the child's social worker"}
    assert_no_code_shown(sw_page, sw_export)


async def test_mydata_in_polish(harness: BotHarness, emulator: BotApiEmulator) -> None:
    page, export, t = await my_data(harness, emulator, "pl")
    for words in ("Przypomnienie, że Twoje dane zostaną usunięte", "Pierwsza konferencja, 5 stycznia 2027 o 10:00",
                  "Leicester", "Uczestniczysz jako Rodzic lub opiekun", "Imię, które podano Anna Kowalska",
                  "Tryb dyskretny Wyłączony", "Polski"):
        assert words in page, words
    for english in ("Reminder that your data will be deleted", "Initial conference", "Check you have all the reports",
                    "Waiting", "Parent or carer"):
        assert english not in page
    assert t("Check you have all the reports") in page
    assert_no_code_shown(page, export, english=False)
    # The JSON's codes are the same in every language; its labels are the reader's.
    kinds = [r["kind"] for r in export["reminders"]]
    assert {"code": "retention.notice", "label": "Przypomnienie, że Twoje dane zostaną usunięte"} in kinds
    assert export["conferences_joined"][0]["kind"] == {"code": "initial", "label": "Pierwsza konferencja"}


@pytest.mark.parametrize("renderers", [PARENT_RENDERERS, PRO_RENDERERS, MEMBER_RENDERERS, retention_renderers(keep_data)])
def test_every_kind_of_reminder_has_a_label(renderers: dict[str, Any]) -> None:
    assert set(renderers) <= set(REMINDERS)
