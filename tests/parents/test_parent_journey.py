"""A parent prepares their views from start to report, as they would on their phone."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons

MUM = 7001


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def shown(emulator: BotApiEmulator) -> str:
    return emulator.last_message(MUM).visible


def pdf_sections(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    lines = [line for page in pages for line in page.extract_text().splitlines()
             if not line.startswith("Private:") and not re.fullmatch(r"\d+ / \d+\s*", line)]
    return squash("\n".join(lines))


async def test_parent_prepares_views_and_gets_the_report(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = emulator.user(MUM, first_name="Dana", language_code="en")
    await mum.say("/start")
    await mum.tap("👪 I am a parent or carer")
    menu = emulator.last_message(MUM)
    assert "Prepare your views" in menu.visible and "📖 About the conference" in buttons(menu)
    await mum.tap("📝 Prepare your views")
    assert "I only send them to someone if you choose to share them. What you share may be read at the conference." in shown(emulator)
    await mum.tap("Next ➡️")

    assert "When is the conference?" in shown(emulator)
    await mum.say("15/12/2026")  # a Tuesday, three weeks away
    await mum.tap("The first conference")
    await mum.tap("I don't know")  # the area

    await mum.say("Amira")
    await mum.say("14/03/2019")
    await mum.tap("Add another child")
    await mum.say("Ben")
    await mum.tap("Skip ➡️")
    await mum.tap("✅ That is every child")

    assert "Are there things you think the conference should think about?" in shown(emulator)
    await mum.tap("⬜ Housing")
    await mum.tap("⬜ Money or debt")
    await mum.tap("✅ Done")
    await mum.say("Our flat is damp and the landlord does not fix it.")
    await mum.tap("✅ Done")

    await mum.say("I walk the children to school every day.")
    await mum.say("We eat dinner together.")
    await mum.tap("✅ Done")
    await mum.tap("Skip ➡️")  # good things to know

    await mum.say("They worry that I leave the children alone.")
    await mum.tap("✅ Done")
    await mum.tap("⬅️ Back")  # changed her mind about the worries: still there
    assert "They worry that I leave the children alone." in shown(emulator)
    await mum.tap("✅ Done")

    # Half way through, the bot restarts (a deploy, a crash): nothing is lost.
    await harness.restart()
    await mum.say("/start")
    await mum.tap("▶️ Carry on: Prepare your views")
    assert "Welcome back" in shown(emulator)
    assert "What do you think needs to change for your children to be safe?" in shown(emulator)

    await mum.say("I need help with childcare when I work late.")
    await mum.tap("✅ Done")
    await mum.tap("Skip ➡️")  # things professionals should know
    await mum.tap("Yes")
    await mum.say("The report says I missed three appointments.")
    await mum.tap("✅ Done")
    await mum.tap("It is a mistake in the facts")
    await mum.say("I missed one, and I phoned to rearrange it.")
    await mum.tap("✅ Done")
    await mum.tap("✅ That is everything I disagree with")

    scale = shown(emulator)
    assert "1 = Not safe at all and will be harmed again" in scale
    assert "10 = Safe enough for children's social care to close the case" in scale
    await mum.tap("6")
    await mum.say("The children are fed and at school, but the flat is a worry.")
    await mum.tap("✅ Done")
    await mum.say("Moving to a dry flat.")
    await mum.tap("✅ Done")
    await mum.say("My sister can have the children after school.")
    await mum.tap("✅ Done")

    await mum.tap("⬜ Help with housing")
    await mum.tap("✅ Done")
    await mum.say("A dry home would stop the children's coughs.")
    await mum.tap("✅ Done")
    await mum.tap("Skip ➡️")  # next steps
    await mum.say("My sister Lena will come with me.")
    await mum.tap("✅ Done")
    await mum.tap("I will go in person")
    await mum.tap("⬜ An interpreter")
    await mum.tap("✅ Done")
    await mum.say("Polish")
    await mum.tap("Skip ➡️")  # the dialect
    await mum.tap("A woman")
    await mum.tap("Skip ➡️")  # someone from outside the community
    await mum.tap("Skip ➡️")  # questions for the chair
    await mum.say("Sam Patel")  # her social worker
    await mum.tap("Skip ➡️")  # danger statements and safety goals
    await mum.tap("Skip ➡️")  # the safety network
    await mum.say("Dana Nowak")

    review = shown(emulator)
    assert "Check your answers" in review
    assert "Amira" in review and "15 December 2026" in review and "6 out of 10" in review
    # Change one answer from the review, then finish.
    await mum.tap("✏️ What we do well")
    await mum.say("I read to them at bedtime.")
    await mum.tap("✅ Done")
    assert "Check your answers" in shown(emulator)
    await mum.tap("✅ Finish")

    document = emulator.documents(MUM)[-1]
    assert document.file_name == "Parents-Carers-report-to-a-Child-Protection-Conference-2026-11-24.pdf"
    text = pdf_sections(emulator.file(document.file_id).data)
    assert text.startswith("Parents/Carers report to a Child Protection Conference")
    # Every typed answer, word for word, under its section.
    order = [
        "Your children", "Amira", "14 March 2019", "Ben",
        "Things to think about", "Housing, Money or debt", "Our flat is damp and the landlord does not fix it.",
        "What is going well", "I walk the children to school every day.", "We eat dinner together.", "I read to them at bedtime.",
        "The worries", "They worry that I leave the children alone.", "I need help with childcare when I work late.",
        "What you disagree with", "The report says I missed three appointments.", "It is a mistake in the facts",
        "I missed one, and I phoned to rearrange it.",
        "How safe are the children now?", "6 out of 10", "The children are fed and at school, but the flat is a worry.",
        "Moving to a dry flat.", "My sister can have the children after school.",
        "Help and support", "Help with housing", "A dry home would stop the children's coughs.",
        "On the day", "My sister Lena will come with me.", "I will go in person", "An interpreter", "Polish",
        "A woman", "Sam Patel",
        "Signed", "Dana Nowak", "Date", "24 November 2026",
    ]
    position = 0
    for expected in order:
        found = text.find(squash(expected), position)
        assert found >= 0, f"{expected!r} missing or out of order"
        position = found

    # The report can be asked for again at any time.
    await mum.say("/report")
    assert len(emulator.documents(MUM)) == 2

    # Reminders were planned from the conference date (Tuesday 15 December 2026).
    rows = {r.kind: r for r in await harness.app.reminders.for_user(MUM)}
    assert set(rows) == {"parent.reports_by", "parent.day_before", "parent.morning_of", "parent.next_steps", "parent.notes_by",
                         "retention.notice"}  # and, 30 days after, notice that the answers will be erased
    assert rows["parent.reports_by"].params.find("2026-12-10") > 0
