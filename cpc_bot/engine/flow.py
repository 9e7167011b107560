"""Where a person is in a questionnaire, and where Next and Back lead. Pure logic.

A dialog unrolls into *slots*: one per visible question, one per question of each
item of a repeat group (``children.0.name``), a "more" slot after each group
(``children.more``: add another, or that is everyone) and the review screen.
Conditions are checked against the answers so far, so the list changes as
people answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cpc_bot.engine.kinds import KINDS
from cpc_bot.engine.schema import Dialog, Step

REVIEW = "_review"


@dataclass(frozen=True)
class Slot:
    key: str
    step: Step | None  # None for the review screen
    group: Step | None = None
    index: int | None = None
    is_more: bool = False

    @property
    def is_review(self) -> bool:
        return self.key == REVIEW

    @property
    def is_question(self) -> bool:
        return self.step is not None and not self.is_more and KINDS[self.step.kind].asks

    @property
    def token(self) -> str:
        """A short stable id for callback data (keys can be too long for 64 bytes)."""
        return slot_token(self.key)


def slot_token(key: str) -> str:
    return hashlib.blake2s(key.encode(), digest_size=4).hexdigest()


def count_key(group: Step) -> str:
    return f"{group.key}.count"


def item_count(group: Step, answers: Mapping[str, Any]) -> int:
    value = answers.get(count_key(group))
    return value if isinstance(value, int) and value >= 1 else 1


def _visible(step: Step, answers: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    return all(c.holds(dict(answers), dict(context)) for c in step.when)


def visible_slots(dialog: Dialog, answers: Mapping[str, Any], context: Mapping[str, Any]) -> list[Slot]:
    """The slots a person walks through, given their answers so far."""
    slots: list[Slot] = []
    for step in dialog.steps:
        if not _visible(step, answers, context):
            continue
        if step.kind == "repeat":
            for i in range(item_count(step, answers)):
                item_answers = {sub.key: answers.get(f"{step.key}.{i}.{sub.key}") for sub in step.steps}
                scoped = {**answers, **item_answers}
                slots.extend(
                    Slot(f"{step.key}.{i}.{sub.key}", sub, group=step, index=i)
                    for sub in step.steps
                    if _visible(sub, scoped, context)
                )
            slots.append(Slot(f"{step.key}.more", step, group=step, is_more=True))
        else:
            slots.append(Slot(step.key, step))
    slots.append(Slot(REVIEW, None))
    return slots


def _may_show(step: Step, answers: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Shown now, or maybe later: each condition holds, or waits on an answer not given yet."""
    return all((c.answer is not None and c.answer not in answers) or c.holds(dict(answers), dict(context))
               for c in step.when)


def question_counts(dialog: Dialog, answers: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, int]:
    """How many questions the person may be asked, and how many of them can be skipped, given
    the answers so far (an area chosen leaves out the other areas' questions). A question that
    waits on an answer not given yet counts, so it is "up to"; a repeat group counts its items so far."""
    questions = optional = 0
    for step in dialog.steps:
        if (step.kind != "repeat" and not KINDS[step.kind].asks) or not _may_show(step, answers, context):
            continue
        if step.kind != "repeat":
            questions += 1
            optional += step.optional
            continue
        for i in range(item_count(step, answers)):
            # As visible_slots sees them: the item's own answers over the others (none given: not given).
            scoped = {k: v for k, v in answers.items() if k not in {sub.key for sub in step.steps}}
            scoped.update({sub.key: answers[f"{step.key}.{i}.{sub.key}"] for sub in step.steps
                           if f"{step.key}.{i}.{sub.key}" in answers})
            for sub in step.steps:
                if _may_show(sub, scoped, context):
                    questions += 1
                    optional += sub.optional
    return {"questions": questions, "optional": optional}


def find_slot(slots: list[Slot], key: str | None) -> int | None:
    for i, slot in enumerate(slots):
        if slot.key == key:
            return i
    return None


def first_open_slot(slots: list[Slot], answered: set[str]) -> Slot:
    """Where to resume when the saved position no longer exists: the first unanswered question."""
    for slot in slots:
        if slot.is_question and slot.key not in answered:
            return slot
    return slots[-1]


def next_slot(slots: list[Slot], current: str, answered: set[str]) -> Slot:
    index = find_slot(slots, current)
    if index is None:
        return first_open_slot(slots, answered)
    return slots[min(index + 1, len(slots) - 1)]


def previous_slot(slots: list[Slot], current: str) -> Slot | None:
    index = find_slot(slots, current)
    if not index:
        return None
    return slots[index - 1]


def progress(slots: list[Slot], current: str) -> tuple[int, int]:
    """(number of this question, number of questions) for "Question 3 of 18"."""
    questions = [s.key for s in slots if s.is_question]
    position = questions.index(current) + 1 if current in questions else 0
    return position, len(questions)


def part_of(dialog: Dialog, slot: Slot) -> tuple[int, int]:
    """(this part, number of parts): a part starts at each step with a ``section`` (a heading of
    the written report). Fixed by the questionnaire, whatever the answers."""
    starts = [i for i, step in enumerate(dialog.steps) if step.section]
    if not starts:
        return 0, 0
    if starts[0] != 0:
        starts.insert(0, 0)
    top = slot.group if slot.group is not None else slot.step
    if top is None:  # the review
        return len(starts), len(starts)
    index = next((i for i, step in enumerate(dialog.steps) if step is top), 0)
    return sum(1 for start in starts if start <= index), len(starts)
