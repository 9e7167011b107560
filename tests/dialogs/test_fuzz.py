"""Random input at every step: the bot always answers kindly, raises nothing, loses nothing.

Bounded: 25 random sequences of up to 12 actions each (about 10 s). Every sequence
starts a new person on the sample questionnaire, which has every step kind.
"""

from __future__ import annotations

import itertools
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons

USER_IDS = itertools.count(20_000)
ERROR_REPLY = "Sorry, something went wrong on my side"

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(["\u202eevil", "\x00\x07", "31/02/2019", "14/03/2019", "99:99", "10am", " ", "/frobnicate",
                     "/start", "/cancel", "/help", "x" * 5000, "<b>not html", "&amp;", "🙂" * 30]),
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("say"), texts),
        st.tuples(st.just("tap"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("forge"), st.text(max_size=64)),
        st.tuples(st.just("other"), st.sampled_from(["sticker", "voice", "location", "document", "photo"])),
    ),
    max_size=12,
)


def answers_of(harness: BotHarness, user_id: int) -> dict[str, object]:
    path = harness.settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return dict(db.execute(
            "select a.key, a.value_enc from answers a join responses r on r.id = a.response_id where r.user_id = ?",
            (user_id,)).fetchall())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
async def test_random_input_never_breaks_the_bot(harness: BotHarness, emulator: BotApiEmulator, steps) -> None:
    user_id = next(USER_IDS)
    user = emulator.user(user_id)
    await user.say("/start")
    await user.tap("👪 I am a parent or carer")
    await user.tap("📝 Sample questions")
    await user.tap("Next ➡️")
    await user.say("Amira")  # one answer that must never be lost
    assert "children.0.name" in answers_of(harness, user_id)
    for kind, value in steps:
        before = len(emulator.messages(user_id))
        if kind == "say":
            await user.say(value or ".")
        elif kind == "tap":
            labels = [b for b in buttons(emulator.last_message(user_id))
                      if not b.startswith(("✏️ Write it again", "✏️ Start this one again", "🗑"))]
            if not labels:
                continue
            await user.tap(labels[value % len(labels)])
        elif kind == "forge":
            await user.tap_data(value or "x", emulator.last_message(user_id).message_id)
            assert emulator.callback_answers(user_id), "a forged button got no answer"
            continue
        elif value == "photo":
            await user.send_photo(b"\xff\xd8 not really a jpeg")
        else:
            await getattr(user, f"send_{value}")(*(() if value != "document" else (b"%PDF", "x.pdf")))
        replies = emulator.messages(user_id)[before:]
        changed = any(m.edits for m in emulator.messages(user_id)[-3:])
        assert replies or changed or emulator.callback_answers(user_id), f"no reply to {kind} {value!r}"
        assert not any(ERROR_REPLY in m.visible for m in emulator.messages(user_id)), f"error after {kind} {value!r}"
    # The first answer survives everything (the buttons that clear or remove answers are not tapped).
    assert "children.0.name" in answers_of(harness, user_id)
