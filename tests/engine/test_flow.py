"""Next, Back, conditions and repeat groups, without a bot."""

from datetime import date

import pytest
import yaml

from cpc_bot.engine.flow import (
    REVIEW,
    first_open_slot,
    next_slot,
    previous_slot,
    progress,
    question_counts,
    visible_slots,
)
from cpc_bot.engine.schema import Dialog
from cpc_bot.engine.values import DateProblem, format_day, parse_uk_date

DIALOG = Dialog.model_validate(yaml.safe_load("""
id: sample
version: 1
title: Sample
audience: parent
finished: Thank you.
steps:
  - {key: intro, kind: info, text: Hello}
  - key: kids
    kind: repeat
    prompt: Each child
    item_label: Child
    add_another: Add another child
    done_label: That is all
    steps:
      - {key: name, kind: text, prompt: Name}
      - {key: born, kind: date, prompt: Born, optional: true}
  - key: help
    kind: multi
    prompt: Help
    options: [{key: money, label: Money}, {key: other, label: Other}]
  - {key: help_other, kind: text, prompt: Other help, when: {answer: help, is: other}}
"""))


def keys(answers: dict) -> list[str]:
    return [s.key for s in visible_slots(DIALOG, answers, {})]


def test_slots_unroll_groups_and_end_with_review() -> None:
    assert keys({}) == ["intro", "kids.0.name", "kids.0.born", "kids.more", "help", REVIEW]
    assert keys({"kids.count": 2}) == [
        "intro", "kids.0.name", "kids.0.born", "kids.1.name", "kids.1.born", "kids.more", "help", REVIEW,
    ]


def test_condition_on_multi_choice_shows_follow_up() -> None:
    assert "help_other" not in keys({"help": ["money"]})
    assert keys({"help": ["money", "other"]})[-2:] == ["help_other", REVIEW]


def test_next_back_and_progress() -> None:
    slots = visible_slots(DIALOG, {}, {})
    assert next_slot(slots, "intro", set()).key == "kids.0.name"
    assert previous_slot(slots, "kids.0.name").key == "intro"
    assert previous_slot(slots, "intro") is None
    assert next_slot(slots, REVIEW, set()).key == REVIEW
    assert progress(slots, "help") == (3, 3)
    assert progress(slots, "intro") == (0, 3)


def test_resume_when_saved_position_vanished() -> None:
    slots = visible_slots(DIALOG, {"help": ["money"]}, {})
    # "help_other" was the cursor, but the answer that showed it changed.
    assert next_slot(slots, "help_other", {"kids.0.name"}).key == "kids.0.born"
    assert first_open_slot(slots, {"kids.0.name", "kids.0.born", "help"}).key == REVIEW


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("14/03/2019", date(2019, 3, 14)), ("14.3.19", date(2019, 3, 14)), ("2019-03-14", date(2019, 3, 14)),
     (" 1-1-2020 ", date(2020, 1, 1)), ("29/02/2024", date(2024, 2, 29))],
)
def test_uk_dates(typed: str, expected: date) -> None:
    assert parse_uk_date(typed.strip(), date(2026, 11, 24)) == expected


@pytest.mark.parametrize(("typed", "code"), [("31/02/2020", "no_such_day"), ("12/13/2020", "no_such_day"),
                                             ("next tuesday", "format"), ("", "format")])
def test_bad_dates(typed: str, code: str) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_uk_date(typed, date(2026, 11, 24))
    assert caught.value.code == code


def test_dates_read_in_the_users_language() -> None:
    assert format_day(date(2019, 3, 14), "en") == "14 March 2019"
    assert format_day(date(2019, 3, 14), "pl") == "14 marca 2019"


AREAS = Dialog.model_validate(yaml.safe_load("""
id: areas
version: 1
title: Report
audience: professional
finished: Done.
steps:
  - {key: area, kind: choice, prompt: Area, options: [{key: north, label: North}, {key: south, label: South}]}
  - {key: intro, kind: info, text: "Up to %(questions)d, skip %(optional)d"}
  - {key: north_only, kind: text, prompt: North, optional: true, when: {answer: area, is: north}}
  - key: worries
    kind: repeat
    prompt: Another?
    item_label: Worry
    add_another: Add
    done_label: That is all
    steps:
      - {key: what, kind: text, prompt: What, optional: true}
      - {key: how, kind: choice, prompt: How, when: {answer: what, answered: true}, options: [{key: a, label: A}, {key: b, label: B}]}
"""))


def test_question_counts_follow_the_answers_so_far() -> None:
    # Nothing chosen yet: every question that may come up counts (the info screen does not).
    assert question_counts(AREAS, {}, {}) == {"questions": 4, "optional": 2}
    # South leaves out the north's question; the "how" waits on "what", so it still counts.
    assert question_counts(AREAS, {"area": "south"}, {}) == {"questions": 3, "optional": 1}
    assert question_counts(AREAS, {"area": "north"}, {}) == {"questions": 4, "optional": 2}
    # "What" skipped in the first worry: no "how" there; a second worry adds its two.
    assert question_counts(AREAS, {"area": "south", "worries.0.what": [], "worries.count": 2}, {}) == {
        "questions": 4, "optional": 2}
    assert question_counts(AREAS, {"area": "south", "worries.0.what": ["x"]}, {}) == {"questions": 3, "optional": 1}
