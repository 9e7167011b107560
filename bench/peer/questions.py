"""The parents' questionnaire ("Prepare your views"), copied from dialogs/parent_prepare.yaml.

The peer keeps its questions in code, as an aiogram_dialog bot usually does: same order, same
English texts, same options and the same conditions as our YAML file (which the peer does not
read). ``group`` marks the questions of a repeat group (children, points of disagreement).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TITLE = "Prepare your views"

Answers = dict[str, Any]


def always(answers: Answers) -> bool:
    return True


def _disagrees(answers: Answers) -> bool:
    return answers.get("disagree_any") == "yes"


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # info | text | date | choice | multi | scale | more (the "another one?" of a repeat group)
    prompt: str
    review_label: str = ""
    hint: str = ""
    optional: bool = False
    options: tuple[tuple[str, str], ...] = ()
    single_message: bool = False  # a name: one message, no Done
    group: str = ""  # "child" / "point": a question asked once per item of a repeat group
    when: Callable[[Answers], bool] = field(default=always)
    future_only: bool = False
    past_only: bool = False
    add_another: str = ""  # kind "more": the button that starts another item
    low_label: str = ""  # kind "scale"
    high_label: str = ""


#: Which item of a repeat group each group's questions are about, and the words on screen.
GROUPS = {"child": ("children", "Child"), "point": ("disagreements", "Point")}

INTRO = (
    "These questions help you get ready for the conference. Many parents say they felt nervous at "
    "the meeting and did not say all they wanted to. Writing it down first helps.\n\n"
    "• Your answers are saved as you go. You can stop and come back later.\n"
    "• You can skip anything you do not want to answer.\n"
    "• At the end you can check and change every answer.\n"
    "• Your answers are kept encrypted, and I only send them to someone if you choose to share them. "
    "What you share may be read at the conference."
)


def _answered(key: str) -> Callable[[Answers], bool]:
    return lambda answers: bool(answers.get(key))


QUESTIONS: tuple[Question, ...] = (
    Question("intro", "info", INTRO),
    Question("conference_date", "date", "When is the conference?", "Date of the conference",
             "It is on your invitation letter. If you tell me, I can remind you before it. Skip this if you do not know yet.",
             optional=True, future_only=True),
    Question("conference_kind", "choice", "Is this the first conference, or a review?", "Kind of conference",
             "A review conference looks again at a child protection plan that is already in place.", optional=True,
             options=(("first", "The first conference"), ("review", "A review conference"), ("not_sure", "I am not sure")),
             when=_answered("conference_date")),
    Question("child_name", "text", "What is the child's name?", "Name", single_message=True, group="child"),
    Question("child_born", "date", "What is their date of birth?", "Date of birth", optional=True, past_only=True,
             group="child"),
    Question("children_more", "more", "Is there another child the conference is about?", add_another="Add another child",
             group="child"),
    Question("issues", "multi", "Are there things you think the conference should think about?", "Things to think about",
             "For example: feelings and mental health, housing, or problems with drink or drugs.", optional=True,
             options=(("emotional_health", "Feelings and mental health"), ("housing", "Housing"),
                      ("money", "Money or debt"), ("substances", "Drink or drugs"),
                      ("relationships", "Arguments or violence at home"),
                      ("physical_health", "Physical health or disability"), ("school", "School or nursery"),
                      ("other", "Something else"))),
    Question("issues_more", "text", "Tell me more about these, if you want to.", "More about these", optional=True,
             when=_answered("issues")),
    Question("strengths", "text", "What do you and your family do well to keep your children safe?", "What we do well",
             "Think about the everyday things: meals, school, bedtimes, being there when they are upset."),
    Question("positives", "text", "What good things would you like the professionals to know about you and your family?",
             "Good things to know", optional=True),
    Question("worries", "text", "What are the worries for your children?", "The worries",
             "Say it as you see it. You can also say what you think other people are worried about."),
    Question("what_change", "text", "What do you think needs to change for your children to be safe?",
             "What needs to change", optional=True),
    Question("aware", "text", "Is there anything the professionals should know about?", "Things professionals should know",
             "Something that has changed, or something they may not know.", optional=True),
    Question("disagree_any", "choice",
             "Is there anything in what professionals have said or written that you disagree with?",
             "Anything you disagree with",
             options=(("yes", "Yes"), ("no", "No"), ("not_yet", "I have not seen the reports yet"))),
    Question("point_what", "text", "What do you disagree with?", "What I disagree with",
             "Say which report or which part, if you can.", group="point",
             when=_disagrees),
    Question("point_why", "choice", "Is it a mistake in the facts, or do you see it differently?", "Why", group="point",
             options=(("fact", "It is a mistake in the facts"), ("view", "I see it differently")),
             when=_disagrees),
    Question("point_instead", "text", "What is right, or how do you see it?", "How I see it", optional=True,
             group="point", when=_disagrees),
    Question("points_more", "more", "Is there anything else you disagree with?", add_another="Add another point",
             group="point",
             when=_disagrees),
    Question("safety", "scale", "How safe are your children now? Choose a number from 1 to 10.", "How safe (1 to 10)",
             low_label="Not safe at all and will be harmed again",
             high_label="Safe enough for children's social care to close the case"),
    Question("safety_why", "text", "Why did you choose this number?", "Why this number", optional=True),
    Question("safety_up", "text", "What would need to happen to move it one number higher?", "What would move it up",
             optional=True),
    Question("safer", "text", "What can you or other people do to make your children safer?", "What would make them safer"),
    Question("support", "multi", "Does your family need any help or support?", "Help we need", optional=True,
             options=(("parenting", "Help with parenting"), ("money", "Money or benefits advice"),
                      ("housing", "Help with housing"), ("health", "Health or mental health support"),
                      ("substances", "Support with drink or drugs"), ("abuse", "Support to be safe from abuse at home"),
                      ("childcare", "Childcare or school support"), ("other", "Something else"))),
    Question("support_how", "text", "How would this help you and your children?", "How it would help", optional=True,
             when=_answered("support")),
    Question("next_steps", "text", "What could you or others do to make things better now?", "Next steps", optional=True),
    Question("supporters", "text", "Who supports you? Is there someone you would like to bring to the conference?",
             "Who supports me",
             "It can be a family member, a friend, or an advocate (someone whose job is to help you speak up).",
             optional=True),
    Question("take_part", "choice", "How would you like to take part?", "How I will take part", optional=True,
             options=(("in_person", "I will go in person"), ("online", "I would like to join online"),
                      ("phone", "I would like to join by phone"), ("not_sure", "I am not sure yet"))),
    Question("needs", "multi", "Do you need anything to be able to take part?", "What I need on the day", optional=True,
             options=(("interpreter", "An interpreter"), ("childcare", "Childcare"), ("travel", "Help with travel"),
                      ("access", "Help because of a disability"), ("other", "Something else"))),
    Question("interpreter_language", "text", "Which language should the interpreter speak?", "Interpreter language",
             single_message=True, when=lambda answers: "interpreter" in (answers.get("needs") or ())),
    Question("questions", "text", "Do you have questions for the chair of the conference?", "My questions for the chair",
             "The chair runs the meeting. You can ask them anything before it starts.", optional=True),
    Question("written_by", "text", "Who is writing this report? Write the names of the parents or carers.",
             "Name(s) of parents/carers", single_message=True),
)

BY_KEY = {question.key: question for question in QUESTIONS}
