"""The engine through the real bot and the emulator, as a parent would see it."""

from __future__ import annotations

import io
import sqlite3

from PIL import Image

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons

PARENT = 5001


async def open_sample(emulator: BotApiEmulator, user_id: int = PARENT):
    user = emulator.user(user_id, first_name="Sam", language_code="en")
    await user.say("/start")
    await user.tap("👪 I am a parent or carer")
    await user.tap("📝 Sample questions")
    return user


def drawing() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (250, 200, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def last_text(emulator: BotApiEmulator, chat_id: int = PARENT) -> str:
    return emulator.last_message(chat_id).visible


def answers_table(harness: BotHarness) -> list[tuple]:
    path = harness.settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute("select key, value_enc, skipped from answers order by key").fetchall()


async def test_start_offers_three_roles_and_help_numbers(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = emulator.user(PARENT, language_code="en")
    await user.say("/start")
    start = emulator.last_message(PARENT)
    assert "child protection conference" in start.visible
    assert "999" in start.visible
    assert buttons(start) == ["👪 I am a parent or carer", "🧒 I am a child or young person", "🧑‍💼 I work with children"]
    await user.say("/help")
    help_text = last_text(emulator)
    assert "0800 1111" in help_text and "999" in help_text and "nobody reads these messages live" in help_text


async def test_walk_every_step_kind_back_skip_review_and_finish(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    intro = emulator.last_message(PARENT)
    assert "This is a practice questionnaire." in intro.visible
    assert buttons(intro) == ["Next ➡️", "🏠 Menu", "💾 Save and finish later", "🆘 I need help now"]
    await user.tap("Next ➡️")

    assert "Sample questions · question 1\n" in last_text(emulator)  # the count of their own path, no total that jumps
    assert "Child 1" in last_text(emulator)
    await user.say("Amira")
    assert "When was this child born?" in last_text(emulator)
    await user.say("31/02/2019")  # there is no 31 February
    assert "There is no such day" in emulator.messages(PARENT)[-2].visible
    await user.say("14/03/2030")  # in the future
    assert "is in the future" in emulator.messages(PARENT)[-2].visible
    await user.say("14/03/2019")
    assert "Do you want to add another child?" in last_text(emulator)
    await user.tap("Add another child")
    assert "Child 2" in last_text(emulator)
    await user.say("Ben")
    await user.tap("Skip ➡️")  # date of birth is optional
    await user.tap("✅ That is every child")

    assert "What is going well?" in last_text(emulator)
    await user.say("We laugh a lot.")
    await user.say("The children go to school every day.")
    assert "We laugh a lot." in last_text(emulator) and "every day" in last_text(emulator)
    await user.tap("✅ Done")

    assert "Who are you to the children?" in last_text(emulator)
    await user.tap("⬅️ Back")  # back to the text answer, kept
    assert "We laugh a lot." in last_text(emulator)
    await user.tap("✅ Done")
    await user.tap("Mum")

    scale = emulator.last_message(PARENT)
    assert "1 = Not safe at all" in scale.visible and "10 = Safe enough" in scale.visible
    await user.tap("7")

    await user.tap("⬜ Money advice")
    await user.tap("⬜ Something else")
    assert "☑️ Money advice" in buttons(emulator.last_message(PARENT))
    await user.tap("✅ Done")
    assert "What other help would you like?" in last_text(emulator)  # shown by the condition
    await user.say("Help with the school run")
    await user.tap("✅ Done")

    assert "Draw your family" in last_text(emulator)
    await user.send_photo(drawing())
    await user.say("This is us at the park")
    assert "1 picture" in last_text(emulator)
    await user.tap("✅ Done")
    await user.tap("Skip ➡️")  # meeting date

    review = emulator.last_message(PARENT)
    assert "Check your answers" in review.visible
    for shown in ("Amira", "14 March 2019", "Ben", "We laugh a lot.", "Mum", "7 out of 10", "Money advice, Something else",
                  "Help with the school run", "This is us at the park"):
        assert shown in review.visible, shown
    # Change one answer from the review: it comes straight back to the review.
    await user.tap("✏️ Who are you to the children?")
    await user.tap("Dad")
    review = emulator.last_message(PARENT)
    assert "Check your answers" in review.visible and "Dad" in review.visible and "Mum" not in review.visible
    await user.tap("✅ Finish")
    assert last_text(emulator) == ("Thank you. Your answers are saved.\n\n"
                                   "To change an answer, send /start and tap ✏️ Change my answers.")
    # No live buttons are left behind on the finished questionnaire.
    assert all(not buttons(m) for m in emulator.messages(PARENT)[-2:])


async def test_answers_survive_a_restart(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    await user.tap("Next ➡️")
    await user.say("Amira")
    await user.say("14/03/2019")
    await user.tap("✅ That is every child")
    await user.say("We laugh a lot.")

    await harness.restart()  # a new process: nothing in memory survives

    await user.say("/start")
    assert "▶️ Carry on: Sample questions" in buttons(emulator.last_message(PARENT))
    await user.tap("▶️ Carry on: Sample questions")
    resumed = last_text(emulator)
    assert "Welcome back" in resumed and "What is going well?" in resumed and "We laugh a lot." in resumed
    await user.tap("✅ Done")
    await user.tap("Mum")
    await user.tap("5")
    await user.tap("Skip ➡️")
    await user.tap("Skip ➡️")
    await user.tap("Skip ➡️")
    review = last_text(emulator)
    assert "Amira" in review and "14 March 2019" in review and "We laugh a lot." in review and "5 out of 10" in review


async def test_answers_are_encrypted_at_rest(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    await user.tap("Next ➡️")
    await user.say("Amira")
    rows = answers_table(harness)
    assert rows and all("Amira" not in str(row) for row in rows)


async def test_bad_input_gets_a_kind_reply_and_changes_nothing(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    await user.tap("Next ➡️")
    before = answers_table(harness)

    await user.send_sticker()
    assert "not stickers" in emulator.messages(PARENT)[-2].visible
    assert "What is this child's first name?" in last_text(emulator)  # the question again, last

    await user.say("x" * 5000)
    assert "too long" in emulator.messages(PARENT)[-2].visible

    await user.say("/frobnicate")
    assert "I don't know that command" in emulator.messages(PARENT)[-2].visible

    await user.tap_data("q:not:valid:data", emulator.last_message(PARENT).message_id)
    assert "no longer works" in emulator.callback_answers(PARENT)[-1]
    assert answers_table(harness) == before


async def test_stale_button_and_double_tap_change_nothing(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    intro = emulator.last_message(PARENT)
    intro_next = intro.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await user.tap("Next ➡️")
    await user.say("Amira")
    await user.say("14/03/2019")
    await user.tap("✅ That is every child")
    await user.say("Good days")
    await user.tap("✅ Done")
    choice_id, mum = user.find_button("Mum")
    await user.tap("Mum")
    # The same button again (a double tap that arrives after the first one was handled).
    await user.tap_data(mum, choice_id)
    assert "earlier question" in emulator.callback_answers(PARENT)[-1]
    # A button from the first screen, long gone.
    await user.tap_data(intro_next, intro.message_id)
    assert "earlier question" in emulator.callback_answers(PARENT)[-1]
    assert "How safe are the children?" in last_text(emulator)
    keys = [row[0] for row in answers_table(harness)]
    assert keys.count("who") == 1


async def test_two_taps_in_flight_count_once(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    await user.tap("Next ➡️")
    await user.say("Amira")
    await user.say("14/03/2019")
    # Both taps reach the bot before it has answered either (a shaky thumb on a slow network).
    await user.tap("Add another child", wait=False)
    second = await user.tap("Add another child", wait=False)
    await emulator.wait_processed(second)
    assert "Child 2" in last_text(emulator)
    counts = [row for row in answers_table(harness) if row[0] == "children.count"]
    assert len(counts) == 1
    await user.say("Ben")
    await user.tap("Skip ➡️")
    assert "Do you want to add another child?" in last_text(emulator)  # not a third child


async def test_cancel_and_save_for_later_keep_answers(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    await user.tap("Next ➡️")
    await user.say("Amira")
    await user.say("/cancel")
    assert "Your answers are saved" in last_text(emulator)
    await user.say("hello?")
    assert "Send /start" in last_text(emulator)
    await user.say("/start")
    await user.tap("▶️ Carry on: Sample questions")
    assert "When was this child born?" in last_text(emulator)
    await user.tap("💾 Save and finish later")
    assert "Come back any time" in last_text(emulator)


async def test_buttons_still_work_when_fsm_storage_is_lost(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = await open_sample(emulator)
    await user.tap("Next ➡️")
    await user.say("Amira")
    path = harness.settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        db.execute("delete from fsm_states")
    await harness.restart()  # the FSM is held in memory too: lost means lost there as well
    await user.tap("Skip ➡️")
    assert "Do you want to add another child?" in last_text(emulator)
