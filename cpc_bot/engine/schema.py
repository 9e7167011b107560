"""The shape of a questionnaire file (``dialogs/*.yaml``).

English source strings live in the YAML and are translated at render time through
gettext; :mod:`cpc_bot.i18n.extract` pulls them into the catalogue. The fields that
hold such strings are listed in :data:`TRANSLATABLE_FIELDS`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

#: YAML fields whose values are shown to people and so go through gettext.
TRANSLATABLE_FIELDS = frozenset(
    {"title", "description", "text", "prompt", "hint", "label", "review_label", "low_label",
     "high_label", "add_another", "item_label", "done_label", "finished", "section", "report_title"}
)

#: What an info step's text can count, as ``%(questions)d``: the questions the person may be asked
#: (their answers so far decide which), and how many of those have a Skip button.
COUNTS = ("questions", "optional")

#: A step's kind: the name of a module of :mod:`cpc_bot.engine.kinds` (info, text, choice, multi,
#: scale, date, time, drawing, repeat), which says what else such a step needs.
StepKind = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_key(value: str, what: str = "key") -> str:
    """Keys name answers in the database and callback data: short lower_snake_case."""
    if not KEY_RE.match(value):
        raise ValueError(f"{what} {value!r} must be lower_snake_case, up to 40 characters")
    return value


class Option(_Strict):
    key: str
    label: str

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return check_key(v, "option key")


class Condition(_Strict):
    """Show a step only when an earlier answer (or the context) has a value."""

    answer: str | None = None
    context: str | None = None
    is_: Any = Field(default=None, alias="is")
    in_: list[Any] | None = Field(default=None, alias="in")
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> Condition:
        if (self.answer is None) == (self.context is None):
            raise ValueError("a condition names exactly one of 'answer' or 'context'")
        if sum(x is not None for x in (self.is_, self.in_, self.answered)) != 1:
            raise ValueError("a condition needs exactly one of 'is', 'in' or 'answered'")
        return self

    def holds(self, answers: dict[str, Any], context: dict[str, Any]) -> bool:
        if self.answer is not None:
            value = answers.get(self.answer)
            # An empty multi-choice or text counts as not answered.
            present = value is not None and value != [] and value != ""
        else:
            present = context.get(self.context or "") is not None
            value = context.get(self.context or "")
        if self.answered is not None:
            return present == self.answered
        candidates = self.in_ if self.in_ is not None else [self.is_]
        if isinstance(value, list):  # multi-choice answers: any chosen option matches
            return any(v in candidates for v in value)
        return value in candidates


class Step(_Strict):
    key: str
    kind: StepKind
    prompt: str | None = None
    text: str | None = None
    hint: str | None = None
    review_label: str | None = None
    #: Starts a new section of the written report at this step (a heading, e.g. "Strengths").
    section: str | None = None
    optional: bool = False
    when: list[Condition] = Field(default_factory=list)
    #: Where the question comes from (a seed document's number and words): for maintainers, never shown.
    source: str | None = None
    #: Written at the top of the document as "review_label: answer" (a child's first name on their
    #: booklet, as the paper booklet's "Name:"), not among the answers.
    cover: bool = False
    #: False: kept for the person only, never offered when a child chooses pages to share ("My numbers").
    shareable: bool = True
    # text
    max_messages: int | None = Field(default=None, ge=1)
    max_length: int = Field(default=4000, ge=1, le=4000)
    # choice / multi
    options: list[Option] = Field(default_factory=list)
    # scale
    min: int | None = None
    max: int | None = None
    low_label: str | None = None
    high_label: str | None = None
    #: Show faces with the numbers, for children (😢 ... 😀).
    faces: bool = False
    # date
    past_only: bool = False
    future_only: bool = False
    # drawing
    max_items: int = Field(default=10, ge=1, le=50)
    # repeat
    steps: list[Step] = Field(default_factory=list)
    item_label: str | None = None
    add_another: str | None = None
    #: A repeat group's own closing button ("✅ That is everything I disagree with").
    done_label: str | None = None

    #: The key of a text question of the group whose answer names each item in the written
    #: report ("Child A" rather than "Child 1"), as the person chose to call it.
    item_name: str | None = None
    #: Each item of the group is a section of its own in the written report, named by the item
    #: ("Report 1: the social worker"): a sheet that answers several reports, one by one.
    item_sections: bool = False

    @field_validator("when", mode="before")
    @classmethod
    def _when_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return check_key(v)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        from cpc_bot.engine.kinds import (
            KINDS,  # the kinds read this module: import them when first needed
        )

        if v not in KINDS:
            raise ValueError(f"unknown kind {v!r}: one of {', '.join(sorted(KINDS))}")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> Step:
        """What the step's kind needs (a prompt, two options, a scale's ends ...)."""
        from cpc_bot.engine.kinds import KINDS

        KINDS[self.kind].validate(self)
        if self.item_sections and self.kind != "repeat":
            raise ValueError("'item_sections' is for a repeat step")
        if self.cover and (self.kind != "text" or not self.review_label):
            raise ValueError("a cover step is a text question with a 'review_label'")
        return self


class Dialog(_Strict):
    id: str
    version: int = Field(ge=1)
    title: str
    description: str | None = None
    #: The title of the written report, when it differs from the questionnaire's title.
    report_title: str | None = None
    audience: Literal["parent", "child", "professional"]
    finished: str
    #: A person keeps one of these: once finished, opening it again offers to change the answers
    #: or (after a confirmation) to start again, never a second copy beside the first. False for a
    #: questionnaire each run of which is a new record (a professional registering another conference).
    one_per_person: bool = True
    steps: list[Step]

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_key(v, "dialog id")
