"""The report's full contents (issue 17, point 1): the common core for every conference, the area's
own questions, a review conference's own section, and a recommendation for each child, through
the bot to the Word file."""

import io
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.text.paragraph import Paragraph

from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.engine.loader import load_dialogs
from tests.helpers import DONE_LABELS, BotHarness, buttons

SOCIAL_WORKER = 4111
DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"


async def write_review_report(emulator: BotApiEmulator, chat_id: int) -> tuple[str, WordDocument]:
    """A school nurse in Lincolnshire writes for a review conference about two children; the
    screen that counted the questions, and the Word file she gets."""
    nurse = emulator.user(chat_id, language_code="en")
    await nurse.say("/start")
    await nurse.tap("🧑‍💼 I work with children")
    await nurse.tap("📝 Write your report")
    await nurse.tap("Lincolnshire")
    await nurse.tap("Review conference (RCPC)")
    intro = emulator.last_message(chat_id).visible
    await nurse.tap("Next ➡️")
    await nurse.say("Lincoln School Nursing Service")
    await nurse.say("Jo Bell, school nurse")
    await nurse.say("Beaumont Fee, Lincoln LN1 1AA; 01522 000000; jo.bell@example.org")
    await nurse.say("20/01/2027")

    async def write(words: str) -> None:
        await nurse.say(words)
        await nurse.tap("✅ Done")

    await write("School nurse for both children since September 2025.")
    await write("The GP, the school and the social worker.")
    await write("Their grandmother, who collects them from school.")
    await write("Four home visits and two health checks at school since the last conference.")
    await write("Both children are at school every day now.")
    await write("None since the last conference.")
    await nurse.say("Mum to arrange night care with grandmother.")  # one message each: no Done
    await nurse.tap("Partly")
    await write("Grandmother stays two nights a week; the other nights are not covered yet.")
    await nurse.tap("Add another point")
    await nurse.say("Both children to see the dentist.")
    await nurse.tap("Yes, done")
    await write("Both were seen in November; no treatment needed.")
    await nurse.tap("✅ That is every point of the plan")

    await write("The children were left alone at night while mum worked.")
    await nurse.tap("Fact (checked and known)")
    await nurse.tap("✅ That is every worry")
    await write("The nights still not covered by grandmother.")  # Lincolnshire: risk now
    await nurse.tap("Skip ➡️")  # what the child has lived through: an extra, skipped
    await write("The younger child was hungry at school on three Mondays.")
    await write("Mum works nights and has no car.")
    await nurse.tap("Opinion (my professional view)")
    await nurse.tap("✅ That is every factor")
    await write("Mum keeps every appointment.")
    await nurse.tap("Fact (checked and known)")
    await nurse.tap("✅ That is every strength")
    await write("Grandmother stays two nights a week.")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is every example")
    await write("Mum meets the children's needs by day; she cannot yet cover the nights.")
    await write("Without night care the children may be left alone again.")
    await write("Night care every night of the week.")
    await write("Mum to ask her sister for the two nights left.")  # Lincolnshire: what the family can do
    await write("The school can offer breakfast club.")  # Lincolnshire: support
    await nurse.tap("5")
    await write("Better than before, but three nights a week are not covered.")
    await write("A written plan that covers every night.")

    await nurse.say("Child A")
    await write("Child A says she likes it when grandmother stays and is scared on the other nights.")
    await write("Healthy; her growth is on track.")
    await nurse.tap("Yes: harmed, and likely to be harmed again")
    await nurse.tap("A child protection plan")
    await nurse.tap("Emotional abuse")
    await write("She is frightened at night and nothing yet covers three nights.")
    await nurse.tap("Add another child")
    await nurse.say("B.K.")
    await write("B.K. is 2 and does not talk yet; he runs to his mum and settles quickly with her.")
    await write("Hungry on three Mondays; otherwise growing well.")
    await nurse.tap("No")
    await nurse.tap("A child in need plan (help and support without a protection plan)")
    await write("He is looked after well by day; support with meals would help.")
    await nurse.tap("✅ That is every child")
    assert "Check your answers" in emulator.last_message(chat_id).visible
    await nurse.tap("✅ Finish")
    document = emulator.documents(chat_id)[-1]
    assert document.file_name.endswith(".docx")
    return intro, Document(io.BytesIO(emulator.file(document.file_id).data))


def answers_under(word: WordDocument) -> dict[str, str]:
    """Each bold label with the paragraph that follows it (the answer, or the option chosen)."""
    paragraphs = [p for p in word.paragraphs if p.text]
    return {p.text: after.text for p, after in zip(paragraphs, paragraphs[1:], strict=False)
            if p.runs and all(run.bold for run in p.runs)}


async def test_a_review_conference_report_has_its_own_section_and_a_recommendation_for_each_child(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    intro, word = await write_review_report(emulator, SOCIAL_WORKER)

    # Before the first question of the report, she is told how many there are and how many can be skipped.
    assert "Questions in your report: up to 41 (more if you add more worries or children)." in intro
    assert "Questions you can skip (your area's extra questions, and any that may not apply): 7." in intro

    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "About this report", "The family's network", "Since the last conference", "What are we worried about: harm",
        "What are we worried about: risk now", "What are we worried about: complicating factors",
        "What is working well: existing strengths", "What is working well: existing safety",
        "The parents' capacity to keep the child safe", "What this means for the child's future",
        "What needs to happen", "Safety scale", "Each child"]
    shown = answers_under(word)
    assert shown["What kind of conference is it?"] == "Review conference (RCPC)"
    assert shown["Your work address, phone number and email"].startswith("Beaumont Fee, Lincoln")
    # The review's own section: the plan point by point.
    assert shown["Plan point 1 - the point of the plan"] == "Mum to arrange night care with grandmother."
    assert shown["Plan point 1 - done"] == "Partly"
    assert shown["Plan point 2 - done"] == "Yes, done"
    assert shown["Plan point 2 - what difference it made"] == "Both were seen in November; no treatment needed."
    assert shown["What has the child lived through?"] == "(skipped)"
    assert shown["What can the family do themselves to keep the child safe? How would you want to see them deal "
                 "with the worries?"] == "Mum to ask her sister for the two nights left."
    # Cumbria's questions are not asked in Lincolnshire.
    assert not any("Danger statements" in text or "Past harm" in text for text in shown)

    # Each child by the name she chose, with the two tests, the recommendation, the category and the reasons.
    assert shown["Child 1 - called in this report"] == "Child A"
    assert shown["Child A - views, wishes and feelings"].startswith("Child A says she likes it")
    assert shown["Child A - test 1: significant harm"] == "Yes: harmed, and likely to be harmed again"
    assert shown["Child A - test 2: my recommendation"] == "A child protection plan"
    assert shown["Child A - category"] == "Emotional abuse"
    assert shown["Child A - my reasons"] == "She is frightened at night and nothing yet covers three nights."
    assert shown["Child 2 - called in this report"] == "B.K."
    assert shown["B.K. - views, wishes and feelings"].startswith("B.K. is 2 and does not talk yet")
    assert shown["B.K. - test 1: significant harm"] == "No"
    assert shown["B.K. - test 2: my recommendation"] == "A child in need plan (help and support without a protection plan)"
    assert "B.K. - category" not in shown
    assert shown["B.K. - my reasons"] == "He is looked after well by day; support with meals would help."

    # Blanks for each child's and each parent's details, named as she named the children; a
    # review conference fills in only what changed.
    titles = [Paragraph(table._tbl.getprevious(), None).text for table in word.tables[:-1]]
    assert titles == ["Child A", "B.K.", "Parent or carer 1", "Parent or carer 2"]
    assert [row.cells[0].text for row in word.tables[2].rows] == [
        "Full name", "Other names they are known by", "Date of birth", "Relationship to the child", "Address",
        "Parental responsibility (yes or no)"]
    note = next(p.text for p in word.paragraphs if p.text.startswith("Fill these in"))
    assert note.endswith("For a review conference, fill in only what has changed since the last conference.")


async def test_an_initial_conference_in_cumbria_asks_cumbrias_questions_and_no_review_section(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = emulator.user(4112, language_code="en")
    await nurse.say("/start")
    await nurse.tap("🧑‍💼 I work with children")
    await nurse.tap("📝 Write your report")
    await nurse.tap("Cumbria")
    await nurse.tap("Initial conference (ICPC)")
    intro = emulator.last_message(4112).visible
    assert "up to 38 " in intro and "not apply): 9." in intro
    await nurse.tap("Next ➡️")
    for words in ("Cumbria Health", "Ali Khan, health visitor", "Penrith; 01768 000000", "20/01/2027"):
        await nurse.say(words)
    seen = []
    for _ in range(60):  # the shortest way through: skip what can be skipped, note each question
        message = emulator.last_message(4112)
        labels = buttons(message)
        seen.append(message.visible)
        if "✅ Finish" in labels:
            break
        for choice in (*DONE_LABELS, "Skip ➡️", "✅ Done"):
            if choice in labels:
                await nurse.tap(choice)
                break
        else:
            options = [label for label in labels if label not in ("⬅️ Back", "💾 Save and finish later", "🏠 Menu")]
            await (nurse.tap(options[0]) if options else nurse.say("Ann"))
    asked = "\n".join(seen)
    for question in ("Past harm: how long did it go on", "Future danger: how likely", "What was the first event",
                     "What was the worst event", "What was the most recent event", "Danger statements:",
                     "Safety goals:"):
        assert question in asked, question
    assert "since the last conference" not in asked and "risk of serious harm right now" not in asked


def test_every_question_of_the_report_names_its_source() -> None:
    dialog = load_dialogs(DIALOGS)["pro_report"]
    for step in dialog.steps:
        if step.kind == "repeat":
            for sub in step.steps:
                assert (sub.source or step.source or "")[:3] in ("000", "001", "003", "004"), sub.key
        else:
            assert (step.source or "")[:3] in ("000", "001", "003", "004"), step.key
