"""The safety net through the whole bot: every state, every kind of message, the right help for each person.

Each test is what a person would see: the helpline numbers they get, in their language, before
anything else, and the question carrying on after it.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

import pytest
from PIL import Image

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from tests.helpers import (
    BotHarness,
    buttons,
    give_conference_date,
    open_prepare,
    open_report_helper,
)

CHILDLINE, NSPCC, DA_LINE, MENS_LINE, SAMARITANS, FMU, KARMA = (
    "0800 1111", "0808 800 5000", "0808 2000 247", "0808 801 0327", "116 123", "020 7008 0151", "0800 5999 247")


def since(emulator: BotApiEmulator, chat_id: int, count: int) -> list[str]:
    return [m.visible for m in emulator.messages(chat_id)[count:]]


def seen(emulator: BotApiEmulator, chat_id: int) -> int:
    return len(emulator.messages(chat_id))


async def child_at_menu(emulator: BotApiEmulator, chat_id: int, language: str = "en", t=str) -> FakeUser:
    child = emulator.user(chat_id, first_name="Mo", language_code=language)
    await child.say("/start")
    await child.tap(t("🧒 I am a child or young person"))
    await child.tap(t("I am under 12"))
    return child


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 100, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


async def test_before_a_role_the_help_covers_a_child_and_an_adult(harness: BotHarness, emulator: BotApiEmulator) -> None:
    someone = emulator.user(9101, language_code="en")
    await someone.say("/start")
    before = seen(emulator, 9101)
    await someone.say("my dad hit me yesterday")
    help_now, *after = since(emulator, 9101, before)
    assert "If you are a child or young person:" in help_now and "If you are an adult:" in help_now
    assert CHILDLINE in help_now and "999" in help_now and DA_LINE in help_now
    assert "secret" not in help_now.lower()
    assert after, "the message is still handled after the help (the bot's usual reply)"


async def test_a_child_at_the_menu_gets_childline_and_999_not_adult_lines(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await child_at_menu(emulator, 9102)
    before = seen(emulator, 9102)
    await child.say("my dad hit me yesterday")
    help_now = since(emulator, 9102, before)[0]
    assert "call 999" in help_now and CHILDLINE in help_now and "childline.org.uk" in help_now
    assert "tell a grown-up you trust" in help_now and "I do not tell anyone by myself" in help_now
    for adult_line in (DA_LINE, SAMARITANS, MENS_LINE):
        assert adult_line not in help_now
    # Shown once per kind in a conversation, not on every message.
    before = seen(emulator, 9102)
    await child.say("he hit me again")
    assert not any(CHILDLINE in text for text in since(emulator, 9102, before))


async def test_a_child_typing_at_a_scale_question_and_in_a_caption(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await child_at_menu(emulator, 9103)
    await child.tap("📝 Have your say")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    # A drawing page: the caption of a photo is checked too; the picture is still kept.
    before = seen(emulator, 9103)
    await child.send_photo(picture(), caption="this is dad. he touches me at night")
    shown = since(emulator, 9103, before)
    assert CHILDLINE in shown[0] and "call 999" in shown[0]
    assert any("Saved" in text or "picture" in text.lower() for text in shown[1:])
    for _ in range(2):
        await child.tap("✅ Done") if "✅ Done" in buttons(emulator.last_message(9103)) else await child.tap("Skip ➡️")
    while "0 = Not safe at all" not in emulator.last_message(9103).visible:
        await child.tap("Skip ➡️")
    # At the scale, where only buttons are expected: words that say "not safe at home".
    before = seen(emulator, 9103)
    await child.say("i dont want to go home hes drunk again and i want to die")
    shown = since(emulator, 9103, before)
    assert CHILDLINE in shown[0] and SAMARITANS not in shown[0]
    assert any("Please use the buttons under the question." in text for text in shown[1:])
    assert "How safe do you feel at home?" in shown[-1]  # the question carries on


async def test_a_parent_at_the_date_question_disclosing_domestic_abuse(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await open_prepare(emulator, 9104)
    before = seen(emulator, 9104)
    await mum.say("my ex husband hits me and I am not safe")
    help_now, *after = since(emulator, 9104, before)
    assert "999" in help_now and "press 55" in help_now
    assert DA_LINE in help_now and MENS_LINE in help_now
    assert "the person who hurts you may be there" in help_now and "speak to the chair or your social worker on your own" in help_now
    assert CHILDLINE not in help_now and "tell a grown-up" not in help_now
    # The question carries on: it was not a date.
    assert any("I couldn't read that as a date" in text for text in after)


async def test_a_parent_moving_from_abuse_to_suicide_still_gets_samaritans(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await open_prepare(emulator, 9105)
    await mum.say("15/12/2026")
    await mum.tap("The first conference")
    await mum.tap("I don't know")  # the area
    await mum.say("Amira")
    await mum.say("14/03/2019")
    await mum.tap("✅ That is every child")
    await mum.tap("✅ Done")  # the list of things to think about; a question in words is next
    before = seen(emulator, 9105)
    await mum.say("he hurts me when he drinks")
    shown = since(emulator, 9105, before)
    assert DA_LINE in shown[0] and shown[-1].startswith("Saved.")
    before = seen(emulator, 9105)
    await mum.say("honestly I want to die")
    shown = since(emulator, 9105, before)
    assert SAMARITANS in shown[0] and "A&E" in shown[0] and DA_LINE not in shown[0]
    assert shown[-1].startswith("Saved.")
    # Describing the concerns is not a cry for help.
    before = seen(emulator, 9105)
    await mum.say("the report says I hit my son, I never did, he fell off his bike")
    assert [text for text in since(emulator, 9105, before) if "0808" in text or "999" in text] == []


async def test_the_parents_sos_button_the_review_and_after_finishing(harness: BotHarness, emulator: BotApiEmulator) -> None:
    dad = await open_prepare(emulator, 9106)
    assert "🆘 I need help now" in buttons(emulator.last_message(9106))
    await dad.tap("🆘 I need help now")
    help_now = emulator.last_message(9106).visible
    for number in ("999", DA_LINE, SAMARITANS, NSPCC):
        assert number in help_now
    # Through to the review screen, then words typed there.
    for _ in range(80):
        labels = buttons(emulator.last_message(9106))
        if "✅ Finish" in labels:
            break
        for choice in ("Next ➡️", "Skip ➡️", "✅ That is every child", "✅ That is everything I disagree with", "✅ Done"):
            if choice in labels:
                await dad.tap(choice)
                break
        else:
            options = [label for label in labels if label not in ("⬅️ Back", "💾 Save and finish later", "🆘 I need help now", "🏠 Menu")]
            await (dad.tap(options[0]) if options else dad.say("15/12/2026"))
    assert "Check your answers" in emulator.last_message(9106).visible
    before = seen(emulator, 9106)
    await dad.say("she strangled me last night")
    assert DA_LINE in since(emulator, 9106, before)[0]
    await dad.tap("✅ Finish")
    before = seen(emulator, 9106)
    await dad.say("i cant go on, i have pills saved up")
    assert SAMARITANS in since(emulator, 9106, before)[0]


async def test_an_edited_message_is_checked(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await open_prepare(emulator, 9107)
    await mum.say("15/12/2026")
    before = seen(emulator, 9107)
    await mum.edit("he put his hands round my neck")
    assert DA_LINE in since(emulator, 9107, before)[0]


async def test_a_professional_writing_a_case_is_not_interrupted_but_danger_now_is_answered(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = await open_report_helper(emulator, 9108)
    before = seen(emulator, 9108)
    for line in ("Child disclosed being hit with a belt by father; bruising to the left arm.",
                 "Mother reports her ex-partner strangled her in January; MARAC referral made.",
                 "Young person expressed suicidal thoughts at school, no plan or intent."):
        await nurse.say(line)
    assert [text for text in since(emulator, 9108, before) if "999" in text] == []
    before = seen(emulator, 9108)
    await nurse.say("the father has just pulled a knife on me at the home visit, im in the car")
    help_now = since(emulator, 9108, before)[0]
    assert "999" in help_now and "safeguarding procedures" in help_now and NSPCC in help_now
    assert CHILDLINE not in help_now


async def test_a_long_message_gets_the_help_before_it_is_refused(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await open_prepare(emulator, 9109)
    before = seen(emulator, 9109)
    await mum.say("It has been a long year. " * 150 + "Last night he choked me.")
    shown = since(emulator, 9109, before)
    assert DA_LINE in shown[0]
    assert any("I couldn't read that as a date" in text for text in shown[1:])


@pytest.mark.parametrize("language", ["pl", "ur"])
async def test_help_in_the_persons_language(harness: BotHarness, emulator: BotApiEmulator, language: str) -> None:
    i18n = harness.app.i18n

    def t(text: str) -> str:
        with i18n.context(), i18n.use_locale(language):
            return i18n.gettext(text)

    child = await child_at_menu(emulator, 9110 if language == "pl" else 9111, language, t)
    chat = 9110 if language == "pl" else 9111
    before = seen(emulator, chat)
    await child.say("tata mnie bije jak pije" if language == "pl" else "ابو مجھے روز مارتے ہیں")
    help_now = since(emulator, chat, before)[0]
    assert CHILDLINE in help_now and "999" in help_now
    assert t("Please tell a grown-up you trust, like a teacher, your social worker or a family friend. "
             "They can help keep you safe.") in help_now
    assert t("Please tell a grown-up you trust, like a teacher, your social worker or a family friend. "
             "They can help keep you safe.") != ("Please tell a grown-up you trust, like a teacher, your social worker or a family friend. "
                                                "They can help keep you safe.")


async def test_an_urdu_disclosure_with_an_english_interface_gets_both(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await open_prepare(emulator, 9112)
    before = seen(emulator, 9112)
    await mum.say("میرا سابق شوہر مجھے مارتا ہے اور میں محفوظ نہیں ہوں")
    english, urdu = since(emulator, 9112, before)[:2]
    assert DA_LINE in english and "National Domestic Abuse Helpline" in english and "is free and open day and night" in english
    assert DA_LINE in urdu and "is free and open day and night" not in urdu and "\u200f" in urdu


async def test_safety_logs_carry_the_kind_only(harness: BotHarness, emulator: BotApiEmulator,
                                               caplog: pytest.LogCaptureFixture) -> None:
    child = await child_at_menu(emulator, 9113)
    with caplog.at_level(logging.INFO):
        await child.say("my stepdad beats me")
        await child.tap("🆘 I don't feel safe right now") if "🆘 I don't feel safe right now" in buttons(emulator.last_message(9113)) else None
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("safety.")]
    assert "safety.help kind=child_harm" in lines
    for line in lines:
        assert "9113" not in line and "stepdad" not in line


async def test_discreet_mode_keeps_reminders_neutral(harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    dad = emulator.user(9114, language_code="en")
    await dad.say("/start")
    await dad.tap("👪 I am a parent or carer")
    await dad.tap("🔒 Does anyone else look at your phone?")
    assert "Telegram still shows my name" in emulator.last_message(9114).visible
    await dad.tap("🔒 Turn discreet mode on")
    assert "Discreet mode is on." in emulator.last_message(9114).visible
    await give_conference_date(emulator, 9114)
    before = seen(emulator, 9114)
    clock.set(datetime(2026, 12, 23, 10, 0, tzinfo=LONDON))
    assert harness.app.reminder_sender is not None
    assert await harness.app.reminder_sender.run_once() == 1
    reminder = emulator.last_message(9114)
    assert reminder.visible == "You have a reminder. Open the chat to read it."
    for word in ("conference", "report", "social worker", "child"):
        assert word not in reminder.visible.lower()
    await dad.tap("📖 Show it")
    assert "National guidance says the professionals should share their reports with you" in emulator.last_message(9114).visible
    assert len(since(emulator, 9114, before)) == 1  # shown in place, on the same message


async def test_forced_marriage_gets_the_forced_marriage_unit_and_karma_nirvana(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    teen = await child_at_menu(emulator, 9115)
    before = seen(emulator, 9115)
    await teen.say("they are taking me to pakistan in the summer to marry my cousin and i dont want to")
    help_now = since(emulator, 9115, before)[0]
    assert FMU in help_now and CHILDLINE in help_now and "Nobody is allowed to make you get married" in help_now
    mum = await open_prepare(emulator, 9116)
    before = seen(emulator, 9116)
    await mum.say("my brothers say I brought shame on the family and they will kill me")
    help_now = since(emulator, 9116, before)[0]
    assert FMU in help_now and KARMA in help_now and "999" in help_now


async def test_the_help_comes_before_the_database_even_when_it_is_down(
        harness: BotHarness, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The order is private chat, safety, limits, then the database: a child's words get the help
    although the state of the conversation cannot be read (a database or Redis failure); the bot
    says sorry for the rest afterwards, as for any failure."""
    child = await child_at_menu(emulator, 9190)
    before = seen(emulator, 9190)

    async def unreachable(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("the database is down")

    monkeypatch.setattr(harness.app.storage, "get_state", unreachable)
    await child.say("my dad hit me yesterday")
    help_now, *after = since(emulator, 9190, before)
    assert CHILDLINE in help_now and "999" in help_now
    assert after and "Sorry" in after[-1]
