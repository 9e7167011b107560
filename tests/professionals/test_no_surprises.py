"""No surprises (issue 17, point 2): before the report is due, the professional's timeline has a step
and a nudge to talk the report through with the family, and the bot helps write a summary sheet to
read with them, its fixed words in the family's language and the professional's own words as written."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

from babel.support import Translations
from pypdf import PdfReader

from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons
from tests.professionals.test_conferences import deadline_lines, register, tick

PRO, NURSE = 4701, 4702
OTHER = "I am another professional (health, school, police...)"
TALK = "Talk your report through with the family (and the child, if old enough) and give them a copy"
HEADINGS = ("What we are worried about", "What is going well", "What needs to happen")
WORRIES = "Twice in October the children were left alone at night. We worry one of them could get hurt."
GOING_WELL = "Mum takes the baby to every health check. Grandma helps after school."
NEEDS = "A plan for who looks after the children when mum works nights."


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def outline_titles(data: bytes) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(PdfReader(io.BytesIO(data)).outline)
    return titles


async def test_the_talk_with_the_family_is_on_the_timeline_and_nudged_once(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    # Thursday 1 April 2027, elsewhere in England: three working days back skip Easter Monday (29 March),
    # the weekend and Good Friday (26 March): the talk with the family is by Thursday 25 March.
    await register(emulator, PRO, "01/04/2027", area="Elsewhere in England", role=OTHER)
    assert f"• {TALK}: by 25 March 2027" in deadline_lines(emulator, PRO)

    sent = len(emulator.messages(PRO))
    assert await tick(harness, clock, 2027, 3, 23, 8, 59) == 0
    assert await tick(harness, clock, 2027, 3, 23, 9, 0) == 1  # two working days before, on a working-day morning
    nudge = emulator.last_message(PRO)
    assert nudge.visible.startswith(f"⏰ Coming up: {TALK}, 25 March 2027.\nFor the initial conference on 1 April 2027.")
    assert "Arrange an interpreter if they need one." in nudge.visible
    assert buttons(nudge) == ["🗣 Summary sheet for the family", "✅ Done", "⏰ Remind me tomorrow"]
    # Not twice: the job runs again, the bot restarts, the date is given again (everything replanned).
    assert await tick(harness, clock, 2027, 3, 23, 9, 5) == 0
    await harness.restart()
    assert await tick(harness, clock, 2027, 3, 23, 9, 10) == 0
    await harness.app.dispatcher["desk"].nudges.plan((await harness.app.dispatcher["conferences"].for_owner(PRO))[0])
    assert await tick(harness, clock, 2027, 3, 24, 9, 0) == 0
    # Never at night: the day's own nudge waits for 09:00.
    assert await tick(harness, clock, 2027, 3, 25, 3, 0) == 0
    assert await tick(harness, clock, 2027, 3, 25, 9, 0) == 1
    assert emulator.last_message(PRO).visible.startswith(f"📌 Today: {TALK}, 25 March 2027.")
    # No "overdue" after it (the report follows), not on Good Friday, nor after Easter.
    for day in ((2027, 3, 26), (2027, 3, 29), (2027, 3, 30)):
        assert await tick(harness, clock, *day, 9, 0) == 0
    assert len(emulator.messages(PRO)) == sent + 2


async def test_done_stops_the_talk_nudges_and_the_report_nudges_follow(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    # Staffordshire review on Tuesday 1 June 2027: report due Thursday 27 May (the bank holiday Monday
    # 31 May is not a working day), the talk with the family the working day before, Wednesday 26 May.
    await register(emulator, PRO, "01/06/2027", area="Staffordshire and Stoke-on-Trent", role=OTHER)
    lines = deadline_lines(emulator, PRO)
    assert lines.index(f"• {TALK}: by 26 May 2027") == lines.index("• Your written report: by 27 May 2027") - 1
    assert await tick(harness, clock, 2027, 5, 24, 9, 0) == 1
    await emulator.user(PRO).tap("✅ Done")
    assert await tick(harness, clock, 2027, 5, 25, 9, 0) == 1  # the report's own "coming up"
    assert emulator.last_message(PRO).visible.startswith("⏰ Coming up: Your written report, 27 May 2027.")
    assert await tick(harness, clock, 2027, 5, 26, 9, 0) == 0  # the talk is done: no "today"


async def write_summary(emulator: BotApiEmulator, user_id: int, language: str) -> None:
    user = emulator.user(user_id)
    assert "go through it with the family" in emulator.last_message(user_id).visible
    await user.tap("Next ➡️")
    assert "Which language does the family read best?" in emulator.last_message(user_id).visible
    await user.tap(language)
    for words in (WORRIES, GOING_WELL, NEEDS):
        await user.say(words)
        await user.tap("✅ Done")
    assert "Check your answers" in emulator.last_message(user_id).visible
    await user.tap("✅ Finish")


def look_at(data: bytes, tmp_path: Path, name: str) -> Path:
    """The sheet's first page as a PNG (kept in the test's folder for a person to open)."""
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)], check=True)
    png = next(tmp_path.glob(f"{name}*.png"))
    assert png.stat().st_size > 5_000  # a page with words on it, not a blank one
    return png


async def test_summary_sheet_in_urdu_from_the_nudge(harness: BotHarness, emulator: BotApiEmulator,
                                                    clock: FrozenClock, tmp_path: Path) -> None:
    ur = Translations.load(str(harness.settings.locales_dir), ["ur"], "messages").gettext
    await register(emulator, PRO, "01/04/2027", area="Elsewhere in England", role=OTHER)
    await tick(harness, clock, 2027, 3, 23, 9, 0)
    await emulator.user(PRO).tap("🗣 Summary sheet for the family")
    await write_summary(emulator, PRO, "Urdu (اردو)")

    sheet = emulator.documents(PRO)[-1]
    assert sheet.file_name == "summary-for-the-family-2027-03-23.pdf"
    assert sheet.visible.startswith("Your summary sheet for the family, in Urdu (اردو).")
    said = [m.visible for m in emulator.messages(PRO)[-2:]]
    assert said[0] == ("🗣 The headings are in Urdu (اردو); your own words are as you wrote them. Arrange an "
                       "interpreter to go through it with the family: book one before you meet.")
    assert said[1].startswith("Plain-language check")

    data = emulator.file(sheet.file_id).data
    titles = outline_titles(data)
    for heading in HEADINGS:
        assert ur(heading) != heading  # really translated
        assert f"{ur(heading)} / {heading}" in titles, (heading, titles)
    text = pdf_text(data)
    for words in (WORRIES, GOING_WELL, NEEDS):  # their own words, exactly as written
        assert words in text
    look_at(data, tmp_path, "summary-ur")


async def test_summary_sheet_in_english_after_the_report_helper_and_from_the_menu(
        harness: BotHarness, emulator: BotApiEmulator, tmp_path: Path) -> None:
    nurse = emulator.user(NURSE, language_code="en")
    await nurse.say("/start")
    await nurse.tap("🧑‍💼 I work with children")
    assert "🗣 Summary sheet for the family" in buttons(emulator.last_message(NURSE))
    await nurse.tap("🗣 Summary sheet for the family")
    await write_summary(emulator, NURSE, "English")
    sheet = emulator.documents(NURSE)[-1]
    assert sheet.visible.startswith("Your summary sheet for the family, in English.")
    assert "If English is not the family's first language" in emulator.messages(NURSE)[-2].visible
    data = emulator.file(sheet.file_id).data
    text = pdf_text(data)
    assert "What I will say at the child protection conference" in text
    for part in (*HEADINGS, WORRIES, GOING_WELL, NEEDS):
        assert part in text, part
    assert "English:" not in text  # no second language under the headings
    look_at(data, tmp_path, "summary-en")


async def test_another_language_keeps_english_headings_and_says_to_book_an_interpreter(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = emulator.user(NURSE, language_code="en")
    await nurse.say("/start")
    await nurse.tap("🧑‍💼 I work with children")
    await nurse.tap("🗣 Summary sheet for the family")
    await write_summary(emulator, NURSE, "Another language")
    assert emulator.messages(NURSE)[-2].visible == (
        "🗣 We do not have the family's language, so the headings are in English. Arrange an interpreter to go "
        "through it with the family: book one before you meet.")
    text = pdf_text(emulator.file(emulator.documents(NURSE)[-1].file_id).data)
    assert all(heading in text for heading in HEADINGS)


async def test_a_polish_professional_makes_a_sheet_in_bengali(harness: BotHarness, emulator: BotApiEmulator) -> None:
    pl = Translations.load(str(harness.settings.locales_dir), ["pl"], "messages").gettext
    bn = Translations.load(str(harness.settings.locales_dir), ["bn"], "messages").gettext
    pro = emulator.user(PRO, language_code="pl")
    await pro.say("/start")
    await pro.tap(pl("🧑‍💼 I work with children"))
    await pro.tap(pl("🗣 Summary sheet for the family"))
    await pro.tap(pl("Next ➡️"))
    await pro.tap(pl("Bengali (বাংলা)"))
    for words in (WORRIES, GOING_WELL, NEEDS):
        await pro.say(words)
        await pro.tap(pl("✅ Done"))
    await pro.tap(pl("✅ Finish"))
    sheet = emulator.documents(PRO)[-1]
    assert sheet.visible.startswith(pl("Your summary sheet for the family, in %(language)s. Go through it with "
                                       "them, and give them a copy, before you send your report.")
                                    % {"language": pl("Bengali (বাংলা)")})
    titles = outline_titles(emulator.file(sheet.file_id).data)
    assert all(f"{bn(heading)} / {heading}" in titles for heading in HEADINGS), titles


async def test_the_report_helper_ends_by_offering_the_summary_sheet(harness: BotHarness, emulator: BotApiEmulator) -> None:
    from tests.helpers import answer_the_rest, open_report_helper

    nurse = await open_report_helper(emulator, NURSE)
    await answer_the_rest(nurse, emulator, NURSE, words="Seen at home every week since the baby was born.")
    offer = next(m for m in emulator.messages(NURSE) if m.visible.startswith("Before you send your report:"))
    assert "talk it through with the family (and with the child, if they are old enough to understand)" in offer.visible
    assert buttons(offer) == ["🗣 Summary sheet for the family"]
    assert emulator.last_message(NURSE).visible.startswith("Plain-language check")  # still the last word
    await nurse.tap("🗣 Summary sheet for the family", message_id=offer.message_id)
    assert "go through it with the family" in emulator.last_message(NURSE).visible  # the sheet's first page
