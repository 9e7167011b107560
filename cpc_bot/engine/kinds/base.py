"""What every kind of step has, and the plain data its parts are made of.

A kind knows, for its steps: what the questionnaire file must say (:meth:`Kind.validate`), when
an answer is empty, whether it takes typed words, a picture or which taps, how an answer reads
(:meth:`Kind.describe`, for the review, /mydata and reports), what it puts in a written report,
and its part of the question's screen as channel-neutral data: :class:`Line` s of text and rows
of :class:`Button` s (a label, the action the session takes, a value). A channel draws them (the
Telegram adapter as HTML and an inline keyboard; a web page as it likes).

No aiogram here: words come from :mod:`cpc_bot.i18n.text`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from cpc_bot.engine.values import format_clock
from cpc_bot.i18n.text import gettext as _

if TYPE_CHECKING:
    from cpc_bot.engine.schema import Step

#: How a line of a screen is shown: as it is, strong (the question), quiet (a hint), or set
#: apart as the person's own words.
Style = Literal["plain", "bold", "italic", "quote"]


@dataclass(frozen=True)
class Line:
    """One line of a question's screen: plain text (the channel escapes it) and its style."""

    text: str
    style: Style = "plain"


BLANK = Line("")


@dataclass(frozen=True)
class Button:
    """A button under a question: what it says, the session action it takes, and its value."""

    label: str
    action: str
    value: str = ""


@dataclass(frozen=True)
class Ask:
    """What a kind needs to draw its question."""

    #: The answer saved so far (None: none yet).
    value: Any
    locale: str
    #: Today in the UK (None: not known), for an example date that fits the question.
    today: date | None = None
    #: What an info text counts (``%(questions)d``, ``%(optional)d``), counted when asked.
    counts: Callable[[], Mapping[str, int]] | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None and self.value != []


@dataclass(frozen=True)
class Taken:
    """Typed words or a picture, accepted: the answer to save, the note above the question, and
    whether the answer is complete (then the next question comes)."""

    value: Any
    note: str
    advance: bool = False


@dataclass(frozen=True)
class Problem:
    """Why what was sent was not taken: said first, then the same question; nothing saved."""

    text: str


@dataclass(frozen=True)
class Tapped:
    """A tap taken: the answer to save, and whether it completes the question."""

    value: Any
    advance: bool


@dataclass(frozen=True)
class ReportPart:
    """What one answer puts in a written report: the person's words verbatim, a short note for
    an answer that is not words ("7 out of 10", a chosen option), and pictures."""

    paragraphs: list[str]
    note: str | None = None
    images: list[bytes] = field(default_factory=list)


def tr(text: str | None) -> str:
    """Translate a questionnaire string; an empty one stays empty (gettext("") is the catalogue header)."""
    return _(text) if text else ""


def uk_time(value: time, locale: str) -> str:
    """Every time the bot shows is UK time, and says so: a family may read it from abroad."""
    return _("%(time)s UK time") % {"time": format_clock(value, locale)}


def preview(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Kind:
    """One kind of step. A subclass names itself (``name``, the ``kind:`` of the YAML) and
    overrides what differs; :func:`cpc_bot.engine.kinds.register` puts it in ``KINDS``."""

    name: ClassVar[str]
    #: A question with an answer of its own (not an info page, not a repeat group).
    asks: ClassVar[bool] = True
    #: Button actions this kind takes itself (:meth:`tap`), beside the session's own (back,
    #: skip, done, clear, next, more ...: a name the session uses stays the session's).
    taps: ClassVar[frozenset[str]] = frozenset()

    # ------------------------------------------------------------ the questionnaire file
    def validate(self, step: Step) -> None:
        """Raise ValueError saying what the step lacks or has that this kind does not use."""
        if not step.prompt:
            raise ValueError(f"a {step.kind} step needs 'prompt'")
        self.check_options(step)

    @staticmethod
    def check_options(step: Step) -> None:
        if step.options:
            raise ValueError(f"'options' is not used by a {step.kind} step")

    # --------------------------------------------------------------------- answers
    def is_empty(self, step: Step, value: Any) -> bool:
        """No answer to count (a question that needs one must get one before Finish)."""
        return value is None

    def empty_answer(self, step: Step) -> Any:
        """What Done saves at a question not answered yet ([] for a multi-choice: "none of
        these"); None: Done needs an answer first, unless the question is optional."""
        return None

    def describe(self, step: Step, value: Any, locale: str) -> str:
        """A saved answer (not None) as plain text, for the review, /mydata and reports."""
        return str(value)

    def answered_label(self, step: Step, value: Any, locale: str) -> str:
        """What a question keeps showing once a tap answered it ("✔ The first conference")."""
        return "✔ " + (_("(skipped)") if value is None else self.describe(step, value, locale))

    def report(self, step: Step, value: Any, locale: str, images: Mapping[str, bytes]) -> ReportPart:
        """A saved answer (not None) in the written report; ``images`` are the pictures loaded."""
        return ReportPart([], self.describe(step, value, locale))

    # -------------------------------------------------------------- taking answers
    def accepts_text(self, step: Step) -> bool:
        return False

    def take_text(self, step: Step, so_far: Any, text: str, today: date) -> Taken | Problem:
        """Words typed (stripped, not empty, not too long) with ``so_far`` saved. A kind that
        takes no words (``accepts_text`` False) says to use the buttons."""
        return Problem(_("Please use the buttons under the question."))

    def accepts_picture(self, step: Step) -> bool:
        return False

    def take_picture(self, step: Step, so_far: Any, item: dict[str, Any]) -> Taken | Problem:
        """A picture, kept (``{"type": "image", "blob": ..., "caption": ...}``). A kind that takes
        no pictures (``accepts_picture`` False) says what it does take."""
        return Problem(_("Thank you, but this question needs typed words or the buttons, not a photo."))

    def other_content(self, step: Step) -> str:
        """What to say to a sticker, a voice note or a file."""
        return only_words()

    def tap(self, step: Step, so_far: Any, action: str, value: str) -> Tapped | None:
        """One of :attr:`taps` with its button's value; None: not a button of this question (refused)."""
        return None

    # ---------------------------------------------------------------------- screen
    def skippable(self, step: Step) -> bool:
        return step.optional

    def prompt_lines(self, step: Step, ask: Ask) -> list[Line]:
        """The question's words under the header: the prompt, its hint, then :meth:`lines`."""
        lines = [BLANK, Line(tr(step.prompt), "bold")]
        if step.hint:
            lines.append(Line(_(step.hint), "italic"))
        return lines + self.lines(step, ask)

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        """What this kind says under the prompt (how to answer, the answer so far)."""
        return []

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        """This kind's rows of buttons; the channel adds Back, Skip, 🏠 Menu and Save for later."""
        return []


#: Every kind by its name (the ``kind:`` of a step in the YAML): filled by :func:`register`.
KINDS: dict[str, Kind] = {}


def register(cls: type[Kind]) -> type[Kind]:
    """Class decorator: one instance of ``cls`` serves every step of its kind."""
    KINDS[cls.name] = cls()
    return cls


def validate_choices(step: Step) -> None:
    """A choice or multi-choice step: a prompt and at least two options with their own keys."""
    if not step.prompt:
        raise ValueError(f"a {step.kind} step needs 'prompt'")
    problem = options_problem(step)
    if problem:
        raise ValueError(problem)


def options_problem(step: Step) -> str | None:
    """What is wrong with a choice's options: fewer than two, or a key used twice."""
    if len(step.options) < 2:
        return f"a {step.kind} step needs at least two options"
    keys = [o.key for o in step.options]
    if len(keys) != len(set(keys)):
        return "option keys must be unique"
    return None


def only_words() -> str:
    """What to say to a sticker, a voice note or a file where only words or a tap will do."""
    return _("I can only read typed words here, not stickers, voice notes or files. "
             "Please use the buttons or type your answer.")


def button_number(value: str) -> int | None:
    """A number carried in a button's data, or None when it is not one our buttons carry.

    Only ASCII digits: ``int()`` and ``str.isdigit()`` also take "٣" or "²" (one is read as 3,
    the other crashes ``int``), and ``int()`` takes "-1", " 1" and "1_0"; none of our buttons
    has them, so such data is forged and is refused like any forged button."""
    return int(value) if value.isascii() and value.isdigit() else None
