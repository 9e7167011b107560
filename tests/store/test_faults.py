"""What a family sees when Telegram, the network or the bot process fails (SQLite, one process).

Each test plays the person in the emulator and checks what they would see: the chat, the
"Check your answers" screen, the PDF report, the reminders that arrive and how many times.

The promises proved here:

1. Telegram refuses the bot's reply to a typed answer (429 with retry_after, 500, 502), or the
   connection drops before or after Telegram took the reply: the answer is saved exactly once,
   the person gets one kind "something went wrong" reply, the bot keeps polling, and
   /start -> Carry on shows the question they were on (not an earlier one) with their answer
   once; it is in the review screen and the PDF report once.
2. After such a failure the person can also just carry on typing: the next part is added, and
   nothing is doubled.
3. A due reminder whose sendMessage gets 429, then 500, then 502, then a dropped connection is
   not retried before Telegram's retry_after or the back-off, and arrives exactly once in the end.
4. Being asked to wait (429) does not use up a reminder's retries. A reminder whose connection
   dropped after Telegram had delivered it is sent a second time: a known limit, kept as a
   strict xfail (the bot cannot tell that drop from one before delivery, and a reminder lost
   to a network failure would be worse).
5. A process killed after claiming reminders but before sending: after CLAIM_LEASE the next
   process sends each exactly once. Killed during the send: the reminder is not repeated and
   ends 'unconfirmed'.
6. A process restarted after the reply to a typed answer was lost: the answer survived.
7. The same update delivered twice (a typed answer, a button tap; also after a restart) is
   handled once: one reply, the answer once.
8. When only the reply failed, the kind error reply says the message is saved (no need to
   send it again): following that advice does not double the answer.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from cpc_bot.reminders.sender import RateLimiter
from cpc_bot.reminders.store import CLAIM_LEASE
from cpc_bot.store.models import Reminder
from tests.helpers import BotHarness, buttons, give_conference_date, open_prepare

MUM, DAD, BYSTANDER = 8101, 8102, 8199

KIND_ERROR = "Sorry, my answer to you did not get through. What you sent me is saved, so there is no need to send it again."
STRENGTHS = "What do you and your family do well to keep your children safe?"
POSITIVES = "What good things would you like the professionals to know about you and your family?"
SENTENCE = "We read together every night."
MORE = "We eat dinner at the table."
CARRY_ON = "▶️ Carry on: Prepare your views"
NAVIGATION = {"⬅️ Back", "💾 Save and finish later", "🏠 Menu"}
# The reminder a parent gets when the reports should have arrived (conference 30 December 2026).
# No area given: national guidance, named (3 working days before, 23 December, is when it reminds).
REPORTS_BY = "National guidance says the professionals should share their reports with you before the conference."
REPORTS_BY_DUE = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)


# ----------------------------------------------------------------------------- helpers
def texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.visible for m in emulator.messages(chat_id)]


def times_shown(emulator: BotApiEmulator, chat_id: int, words: str) -> int:
    """In how many of the bot's messages in the chat the words appear."""
    return sum(words in text for text in texts(emulator, chat_id))


def failures_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The error types the bot's error handler logged (``update.failed ... error=X``)."""
    return re.findall(r"update\.failed update=\d+ error=(\w+)", caplog.text)


async def open_questions(emulator: BotApiEmulator, chat_id: int) -> FakeUser:
    """A parent opens "Prepare your views" and skips the conference date, its kind and her area: the
    child's name is next."""
    user = await open_prepare(emulator, chat_id)
    await user.tap("Skip ➡️")
    await user.tap("Skip ➡️")
    await user.tap("Skip ➡️")
    assert "What is the child's name?" in emulator.last_message(chat_id).visible
    return user


async def to_strengths(emulator: BotApiEmulator, chat_id: int) -> FakeUser:
    """On to "What do you do well", a question that takes several messages before Done."""
    user = await open_questions(emulator, chat_id)
    await user.say("Amira")
    await user.tap("Skip ➡️")  # date of birth
    await user.tap("✅ That is every child")
    await user.tap("✅ Done")  # things to think about: none ticked
    assert STRENGTHS in emulator.last_message(chat_id).visible
    return user


async def carry_on(user: FakeUser, emulator: BotApiEmulator) -> str:
    """What a person does after an error: /start, then Carry on. Returns the screen shown."""
    await user.say("/start")
    await user.tap(CARRY_ON)
    return emulator.last_message(user.user_id).visible


async def to_review(user: FakeUser, emulator: BotApiEmulator) -> str:
    """Answer the rest the shortest way and stop at "Check your answers"; returns that screen."""
    for _ in range(80):
        message = emulator.last_message(user.user_id)
        labels = buttons(message)
        if "✅ Finish" in labels:
            return message.visible
        for choice in ("Next ➡️", "✅ That is every child", "✅ That is everything I disagree with", "Skip ➡️", "✅ Done"):
            if choice in labels:
                await user.tap(choice)
                break
        else:
            options = [label for label in labels if label not in NAVIGATION]
            if options:
                await user.tap(options[0])
            else:
                await user.say("Yes, that is right.")
    raise AssertionError("the questionnaire did not reach the review")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def finish_and_read_report(user: FakeUser, emulator: BotApiEmulator) -> str:
    """Tap Finish on the review screen; returns the text of the PDF report that arrives."""
    before = len(emulator.documents(user.user_id))
    await user.tap("✅ Finish")
    documents = emulator.documents(user.user_id)
    assert len(documents) == before + 1, "exactly one report arrives"
    pages = PdfReader(io.BytesIO(emulator.file(documents[-1].file_id).data)).pages
    return squash(" ".join(page.extract_text() for page in pages))


async def stored(harness: BotHarness, chat_id: int, key: str) -> object:
    response = await harness.app.repo.latest_response(chat_id, "parent_prepare")
    assert response is not None
    answer = (await harness.app.repo.answers(response.id or 0)).get(key)
    return None if answer is None else answer.value


def live_questions(emulator: BotApiEmulator, chat_id: int) -> list[int]:
    """The questionnaire messages that still have buttons."""
    return [m.message_id for m in emulator.messages(chat_id) if "💾 Save and finish later" in buttons(m)]


def still_polling(harness: BotHarness) -> bool:
    assert harness.running is not None
    return not harness.running.task.done()


async def queue_drained(emulator: BotApiEmulator) -> None:
    """Wait until the bot has handled everything it was given (a redelivery included).

    A second person says /help; updates are handled one at a time and a redelivered update
    goes out before new ones, so once that /help is confirmed the redelivery was handled."""
    await emulator.user(BYSTANDER).say("/help")


def duplicates_dropped(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The update ids the bot received again and let go (``update.duplicate update=N``)."""
    return [int(n) for n in re.findall(r"update\.duplicate update=(\d+)", caplog.text)]


@pytest.fixture(autouse=True)
def _bot_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="cpc_bot.handlers.help")
    caplog.set_level(logging.INFO, logger="cpc_bot.handlers.middlewares")


async def restart(harness: BotHarness) -> None:
    """A new bot process, ready for a redelivery.

    The old process's last long poll may still be open in the emulator until its timeout; an
    update redelivered now could go out on it and be lost with it. One update handled by the
    new process wakes that poll and ends it."""
    await harness.restart()
    await queue_drained(harness.emulator)


# A reply the bot sends after a typed answer fails in one of these ways.
FAULTS: dict[str, tuple[Callable[[BotApiEmulator], None], str]] = {
    "429-flood-limit": (lambda e: e.fail_next("sendMessage", error_code=429, retry_after=1), "TelegramRetryAfter"),
    "500-server-error": (lambda e: e.fail_next("sendMessage", error_code=500), "TelegramServerError"),
    "502-bad-gateway": (lambda e: e.fail_next("sendMessage", error_code=502, description="Bad Gateway"),
                        "TelegramServerError"),
    "dropped-before": (lambda e: e.drop_next("sendMessage"), "TelegramNetworkError"),
    "dropped-after-delivery": (lambda e: e.drop_next("sendMessage", after=True), "TelegramNetworkError"),
}


# ------------------------------------------------------------- 1-3: a reply that fails
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_failed_reply_keeps_the_typed_answer_once_and_the_dialog_carries_on(
        fault: str, harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    mum = await to_strengths(emulator, MUM)
    inject, error_type = FAULTS[fault]
    inject(emulator)
    before = len(emulator.messages(MUM))

    await mum.say(SENTENCE)

    # She is told kindly, once; the bot did not crash and broke none of Telegram's rules.
    new = texts(emulator, MUM)[before:]
    delivered_anyway = fault == "dropped-after-delivery"
    if delivered_anyway:
        # Telegram showed her the reply before the connection broke: the prompt, then the apology.
        assert len(new) == 2 and "Saved." in new[0] and SENTENCE in new[0]
    else:
        assert len(new) == 1
    assert KIND_ERROR in new[-1]
    assert failures_logged(caplog) == [error_type]
    assert still_polling(harness) and emulator.rejected == []
    assert await stored(harness, MUM, "strengths") == [SENTENCE]  # saved before the reply

    # /start -> Carry on: the same question, her answer in it once; she is not sent back.
    orphan = emulator.messages(MUM)[-2].message_id if delivered_anyway else None
    screen = await carry_on(mum, emulator)
    assert "Welcome back" in screen and STRENGTHS in screen
    assert screen.count(SENTENCE) == 1 and "Your answer so far:" in screen
    await mum.tap("✅ Done")
    assert POSITIVES in emulator.last_message(MUM).visible  # the dialog goes on
    if orphan is not None:
        # The prompt the bot never heard was delivered still has its buttons: a late tap on
        # it changes nothing and brings the current question back.
        await mum.tap("✅ Done", message_id=orphan)
        assert "That button is from an earlier question. Your answers are safe." in emulator.callback_answers(MUM)[-1]
        assert POSITIVES in emulator.last_message(MUM).visible

    review = await to_review(mum, emulator)
    assert review.count(SENTENCE) == 1
    assert await stored(harness, MUM, "strengths") == [SENTENCE]
    assert failures_logged(caplog) == [error_type]  # nothing else failed on the way
    if fault == "500-server-error":  # the report too (one case is enough: the PDF takes a moment)
        report = await finish_and_read_report(mum, emulator)
        assert report.count(SENTENCE) == 1


async def test_after_a_failed_reply_she_can_simply_type_the_next_part(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await to_strengths(emulator, MUM)
    emulator.fail_next("sendMessage", error_code=429, retry_after=1)
    await mum.say(SENTENCE)
    assert KIND_ERROR in emulator.last_message(MUM).visible

    # She does not send /start: she goes on with the next part of her answer.
    await mum.say(MORE)
    screen = emulator.last_message(MUM).visible
    assert "Saved." in screen and STRENGTHS in screen
    assert screen.count(SENTENCE) == 1 and screen.count(MORE) == 1
    assert await stored(harness, MUM, "strengths") == [SENTENCE, MORE]
    # Only the newest question has buttons: one live question in the chat.
    assert live_questions(emulator, MUM) == [emulator.last_message(MUM).message_id]


async def test_following_the_error_reply_advice_does_not_double_the_answer(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await to_strengths(emulator, MUM)
    emulator.fail_next("sendMessage", error_code=500)
    await mum.say(SENTENCE)
    # The reply failed, not the saving: she is told it is saved and not to send it again.
    assert "no need to send it again" in emulator.last_message(MUM).visible
    await mum.say("/start")  # she does what the bot told her
    await mum.tap(CARRY_ON)
    await mum.tap("✅ Done")
    review = await to_review(mum, emulator)
    assert review.count(SENTENCE) == 1


# ----------------------------------------------------------------- 4: reminders that fail
async def tick(harness: BotHarness, clock: FrozenClock, moment: datetime) -> int:
    clock.set(moment)
    assert harness.app.reminder_sender is not None
    return await harness.app.reminder_sender.run_once()


async def reports_by_row(harness: BotHarness, chat_id: int) -> Reminder:
    assert harness.app.reminders is not None
    rows = [r for r in await harness.app.reminders.for_user(chat_id) if r.kind == "parent.reports_by"]
    assert len(rows) == 1
    return rows[0]


async def test_a_reminder_that_meets_every_kind_of_failure_arrives_exactly_once(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await give_conference_date(emulator, MUM)
    due = REPORTS_BY_DUE
    sender = harness.app.reminder_sender
    assert sender is not None
    sender.limiter.per_chat = 0.0  # the one-a-second spacing per chat is not what is tested here

    # 1. Telegram says "too many requests, retry after 1 second": not sent, not early.
    emulator.fail_next("sendMessage", error_code=429, retry_after=1)
    asked_to_wait = time.monotonic()
    assert await tick(harness, clock, due) == 0
    assert times_shown(emulator, MUM, REPORTS_BY) == 0
    row = await reports_by_row(harness, MUM)
    assert row.status == "pending" and row.due_at == due + timedelta(seconds=1)
    assert await tick(harness, clock, due + timedelta(milliseconds=500)) == 0

    # 2. Then a 500: it waits the back-off (2 ** failures minutes: 2 after the first; the
    #    429 was Telegram asking us to wait, not a failure, so it does not count).
    #    The bot also held back from Telegram for the retry_after second, in real time.
    emulator.fail_next("sendMessage", error_code=500)
    at = due + timedelta(seconds=1)
    assert await tick(harness, clock, at) == 0
    assert time.monotonic() - asked_to_wait >= 1.0
    assert (await reports_by_row(harness, MUM)).due_at == at + timedelta(minutes=2)
    assert await tick(harness, clock, at + timedelta(minutes=1, seconds=59)) == 0

    # 3. A 502, then 4. a connection dropped before Telegram took it. (To the bot this looks
    #    the same as a drop after Telegram took it: see the xfail test below.)
    emulator.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    at += timedelta(minutes=2)
    assert await tick(harness, clock, at) == 0
    assert (await reports_by_row(harness, MUM)).due_at == at + timedelta(minutes=4)
    emulator.drop_next("sendMessage")
    at += timedelta(minutes=4)
    assert await tick(harness, clock, at) == 0
    assert (await reports_by_row(harness, MUM)).due_at == at + timedelta(minutes=8)
    assert times_shown(emulator, MUM, REPORTS_BY) == 0

    # 5. Telegram is fine again: it arrives, once, and never again.
    at += timedelta(minutes=8)
    assert await tick(harness, clock, at) == 1
    assert times_shown(emulator, MUM, REPORTS_BY) == 1
    row = await reports_by_row(harness, MUM)
    assert row.status == "sent" and row.attempts == 3  # the three failures; the wait did not count
    assert await tick(harness, clock, at + timedelta(hours=1)) == 0
    assert times_shown(emulator, MUM, REPORTS_BY) == 1
    assert emulator.rejected == []


@pytest.mark.xfail(strict=True, reason=(
    "known limit: ReminderSender retries a TelegramNetworkError so that no reminder is lost to a network "
    "failure, and a connection dropped after Telegram delivered the message looks the same to the bot, so "
    "that reminder arrives twice"))
async def test_a_reminder_whose_answer_was_lost_after_delivery_is_not_sent_twice(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await give_conference_date(emulator, MUM)
    emulator.drop_next("sendMessage", after=True)
    await tick(harness, clock, REPORTS_BY_DUE)
    assert times_shown(emulator, MUM, REPORTS_BY) == 1  # Telegram delivered it; the bot never heard back
    # Later runs, long after every back-off: she still has it once.
    for hours in (1, 2, 4):
        await tick(harness, clock, REPORTS_BY_DUE + timedelta(hours=hours))
    assert times_shown(emulator, MUM, REPORTS_BY) == 1
    assert (await reports_by_row(harness, MUM)).status in ("unconfirmed", "sent")


async def test_being_asked_to_wait_does_not_use_up_a_reminders_retries(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await give_conference_date(emulator, MUM)
    sender = harness.app.reminder_sender
    assert sender is not None
    at = REPORTS_BY_DUE
    for _ in range(4):  # a busy moment: Telegram asks the bot to wait, four times
        emulator.fail_next("sendMessage", error_code=429, retry_after=1)
        sender.limiter = RateLimiter(per_chat=0.0)  # the real-time pause is not what is tested here
        assert await tick(harness, clock, at) == 0
        at += timedelta(seconds=1)
    emulator.fail_next("sendMessage", error_code=500)  # then one server error
    sender.limiter = RateLimiter(per_chat=0.0)
    assert await tick(harness, clock, at) == 0
    # Long after any back-off, Telegram is fine: the reminder should still come, once.
    await tick(harness, clock, at + timedelta(hours=1))
    assert times_shown(emulator, MUM, REPORTS_BY) == 1


# --------------------------------------------------------- 5: the process is killed
async def test_reminders_claimed_by_a_killed_process_are_sent_once_after_the_lease(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await give_conference_date(emulator, MUM)
    await give_conference_date(emulator, DAD)
    before = {chat: len(emulator.messages(chat)) for chat in (MUM, DAD)}

    # A worker claims both due reminders, then the process dies before sending.
    clock.set(REPORTS_BY_DUE)
    assert harness.app.reminders is not None
    claimed = await harness.app.reminders.claim_due(clock())
    assert sorted(r.user_id for r in claimed) == [MUM, DAD]
    await harness.restart()

    # The new process leaves them alone while the dead worker's claim still stands...
    assert await tick(harness, clock, REPORTS_BY_DUE + CLAIM_LEASE - timedelta(seconds=1)) == 0
    assert all(times_shown(emulator, chat, REPORTS_BY) == 0 for chat in (MUM, DAD))
    # ...then takes them back and sends each once.
    assert await tick(harness, clock, REPORTS_BY_DUE + CLAIM_LEASE + timedelta(seconds=1)) == 2
    assert await tick(harness, clock, REPORTS_BY_DUE + CLAIM_LEASE + timedelta(minutes=30)) == 0
    for chat in (MUM, DAD):
        assert times_shown(emulator, chat, REPORTS_BY) == 1
        assert len(emulator.messages(chat)) == before[chat] + 1
        assert (await reports_by_row(harness, chat)).status == "sent"


async def test_a_reminder_whose_send_was_cut_off_by_a_crash_is_not_repeated(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await give_conference_date(emulator, MUM)
    clock.set(REPORTS_BY_DUE)
    store = harness.app.reminders
    assert store is not None
    (claimed,) = await store.claim_due(clock())
    assert await store.begin_send(claimed, clock())  # the call to Telegram is under way...
    await harness.restart()  # ...and the process dies: did it arrive? Nobody knows.

    assert await tick(harness, clock, REPORTS_BY_DUE + CLAIM_LEASE + timedelta(seconds=1)) == 0
    assert await tick(harness, clock, REPORTS_BY_DUE + timedelta(hours=2)) == 0
    assert times_shown(emulator, MUM, REPORTS_BY) == 0  # the emulator never got the call
    assert (await reports_by_row(harness, MUM)).status == "unconfirmed"


async def test_a_typed_answer_survives_a_lost_reply_and_a_restart(
        harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    mum = await to_strengths(emulator, MUM)
    emulator.drop_next("sendMessage")
    await mum.say(SENTENCE)
    assert KIND_ERROR in emulator.last_message(MUM).visible
    assert failures_logged(caplog) == ["TelegramNetworkError"]

    await harness.restart()  # a deploy, or the crash that followed
    screen = await carry_on(mum, emulator)
    assert STRENGTHS in screen and screen.count(SENTENCE) == 1
    await mum.tap("✅ Done")
    review = await to_review(mum, emulator)
    assert review.count(SENTENCE) == 1
    assert await stored(harness, MUM, "strengths") == [SENTENCE]


# ------------------------------------------------------- 6: the same update twice
async def test_a_typed_answer_delivered_twice_is_saved_once_with_one_reply(
        harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    mum = await to_strengths(emulator, MUM)
    update_id = await mum.say(SENTENCE)
    shown = texts(emulator, MUM)
    assert shown[-1].count(SENTENCE) == 1

    await emulator.redeliver(update_id)
    await queue_drained(emulator)
    assert duplicates_dropped(caplog) == [update_id]  # it did reach the bot, which let it go
    assert texts(emulator, MUM) == shown  # no second reply, nothing changed
    assert await stored(harness, MUM, "strengths") == [SENTENCE]

    # Also after a restart, when Telegram resends what was not confirmed.
    await restart(harness)
    await emulator.redeliver(update_id)
    await queue_drained(emulator)
    assert duplicates_dropped(caplog) == [update_id, update_id]
    assert texts(emulator, MUM) == shown
    await mum.tap("✅ Done")
    review = await to_review(mum, emulator)
    assert review.count(SENTENCE) == 1


async def test_a_button_tap_delivered_twice_counts_once(harness: BotHarness, emulator: BotApiEmulator,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    mum = await open_questions(emulator, MUM)
    await mum.say("Amira")
    await mum.tap("Skip ➡️")
    await mum.tap("✅ That is every child")
    assert "Are there things you think the conference should think about?" in emulator.last_message(MUM).visible
    # A tick box: handled twice, the second tap would untick it again.
    update_id = await mum.tap("⬜ Housing")
    assert "☑️ Housing" in buttons(emulator.last_message(MUM))
    shown, answered = texts(emulator, MUM), emulator.callback_answers(MUM)

    await emulator.redeliver(update_id)
    await queue_drained(emulator)
    assert duplicates_dropped(caplog) == [update_id]
    assert "☑️ Housing" in buttons(emulator.last_message(MUM))
    assert texts(emulator, MUM) == shown and emulator.callback_answers(MUM) == answered  # one reply
    assert await stored(harness, MUM, "issues") == ["housing"]

    await restart(harness)
    await emulator.redeliver(update_id)
    await queue_drained(emulator)
    assert duplicates_dropped(caplog) == [update_id, update_id]
    assert await stored(harness, MUM, "issues") == ["housing"]
    assert "☑️ Housing" in buttons(emulator.last_message(MUM))
    await mum.tap("✅ Done")
    review = await to_review(mum, emulator)
    assert review.count("Housing") == 1 and "Money or debt" not in review


async def test_a_one_message_answer_is_not_asked_again_after_a_failed_reply(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    """The name takes one message, so the answer moves the questionnaire on: after the reply
    fails, /start -> Carry on asks the next question, never the name again."""
    mum = await open_questions(emulator, MUM)
    emulator.fail_next("sendMessage", error_code=429, retry_after=1)
    await mum.say("Amira")
    assert KIND_ERROR in emulator.last_message(MUM).visible
    screen = await carry_on(mum, emulator)
    assert "What is their date of birth?" in screen and "What is the child's name?" not in screen
    await mum.say("14/03/2019")
    assert "Saved: 14 March 2019" in emulator.last_message(MUM).visible
    review = await to_review(mum, emulator)
    assert review.count("Amira") == 1 and "14 March 2019" in review
    assert times_shown(emulator, MUM, "What is the child's name?") == 1  # asked once, ever


