"""Each area's conference timescales, as data. Where a seed is silent, the national rule applies.

Offsets are negative before the conference and positive after it. Every rule says where it
comes from in ``source``: the seed file in ``shared/seeds`` (000 Lincolnshire, 001 Staffordshire
& Stoke-on-Trent, 002 Kirklees, 003 Cumbria, 004 Leicester) with a short quote, checked against
the seed by the tests, or *Working Together to Safeguard Children*. A rule is defined once:
the families' side can use the same object (see ``REPORTS_TO_PARENTS_48_HOURS``).

Calendar time (weeks, months, hours) that lands on a weekend or bank holiday moves to the last
working day before; only a ``window`` keeps its calendar start, because the seed counts those
days as plain days ("within the 10 days leading up to the conference") and the start is when
someone else may begin, not a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cpc_bot.i18n.markers import N_

KINDS = ("initial", "review", "pre_birth")
ROLES = ("professional", "social_worker", "parent")
ALL = frozenset(KINDS)
FIRST = frozenset({"initial", "pre_birth"})
EVERYONE = frozenset(ROLES)
PRACTITIONERS = frozenset({"professional", "social_worker"})
SOCIAL_WORKER = frozenset({"social_worker"})
OTHER_PROFESSIONALS = frozenset({"professional"})
FAMILY_AND_SW = frozenset({"social_worker", "parent"})

LEICESTER = "004_0724a813297560b0.txt"
KIRKLEES = "002_5ef0429c08559a1f.txt"
LINCOLNSHIRE = "000_6faa439c50d28911.txt"
STAFFORDSHIRE = "001_fcf727783d989d19.txt"
CUMBRIA = "003_83657b1d5793821a.txt"


@dataclass(frozen=True)
class Rule:
    key: str
    title: str  # what is due, as a name ("First core group meeting"); translated where shown
    unit: str  # working_days | days | weeks | months | hours | minutes | event (tied to something we are not told)
    amount: int  # negative: before the conference
    kinds: frozenset[str]
    roles: frozenset[str]
    source: str  # seed file: 'a short quote from it'
    shape: str = "deadline"  # deadline | window (from the day until the conference; someone else's job) | step
    only_if_ahead: bool = False  # not shown when the conference was booked closer than this
    overdue_nudge: bool = True  # False: nudged before and on the day only (the next task's nudges follow)


WORKING_TOGETHER = "Working Together to Safeguard Children (national)"

# Shared with the families' side: the social worker's report reaches the parents 48 hours
# before the meeting. A parents' reminder can call ``deadlines.deadline_for`` with this rule.
REPORTS_TO_PARENTS_48_HOURS = Rule(
    "sw_report_to_parents_by", N_("Social worker's report and chronology to the chair and the parents"), "hours", -48,
    ALL, FAMILY_AND_SW,
    f"{LEICESTER}: 'Provide parents with report to conference, chronology and updated CPP ( if RCPC) conference) "
    "at least 48 hours before the meeting'")

# No surprises (issue 17, point 2): every practitioner talks their report through with the family
# (and the child, if old enough) and gives them a copy before sending it to the conference. Where
# an area sets no day for it, three working days before, the day by which families should have
# every report (the seeds' table of timescales: 002, "3 working days before any conference"); where
# the report is due earlier, the working day before the report is due. Not nudged when overdue:
# by then the report's own nudge is due, and the family still needs to hear it first.
TALK_TITLE = N_("Talk your report through with the family (and the child, if old enough) and give them a copy")


def _talk(amount: int, kinds: frozenset[str], source: str) -> Rule:
    return Rule("talk_family_by", TALK_TITLE, "working_days", amount, kinds, PRACTITIONERS, source,
                overdue_nudge=False)

# Kirklees' parents' leaflet: shared with the families' side (``domain.family_rules``).
KIRKLEES_REPORTS_3_WORKING_DAYS = Rule(
    "reports_to_family_by", N_("Family should have every report"), "working_days", -3, ALL, frozenset({"parent"}),
    f"{KIRKLEES}: 'Receive copies of all reports three working days in advance.'")
KIRKLEES_NOTES_15_WORKING_DAYS = Rule(
    "notes_to_family_by", N_("Notes of the meeting sent to the family"), "working_days", 15, ALL, EVERYONE,
    f"{KIRKLEES}: 'Within 15 working days after the conference, you will be sent a copy of the notes'")

# Lincolnshire: a professional gives the family a copy of their report before sending it to the
# conference, so these are also the latest days a family should have them (``domain.family_rules``).
LINCOLNSHIRE_REPORT_FIRST = Rule(
    "report_due", N_("Your written report"), "working_days", -2, FIRST, PRACTITIONERS,
    f"{LINCOLNSHIRE}: 'two working days before an initial conference'")
LINCOLNSHIRE_REPORT_REVIEW = Rule(
    "report_due", N_("Your written report"), "working_days", -5, frozenset({"review"}), PRACTITIONERS,
    f"{LINCOLNSHIRE}: 'five working days before a review conference'")

NATIONAL: tuple[Rule, ...] = (
    _talk(-3, ALL, f"{WORKING_TOGETHER}; {KIRKLEES}: 'Receive copies of all reports three working days in advance.'"),
    Rule("core_group_by", N_("First core group meeting"), "working_days", 10, FIRST, EVERYONE,
         f"{WORKING_TOGETHER}; {KIRKLEES}: 'should happen within 10 working days of the initial conference'"),
    Rule("review_conference_by", N_("Review conference"), "months", 3, FIRST, EVERYONE,
         f"{WORKING_TOGETHER}; {KIRKLEES}: 'no later than 3 months after the initial conference'"),
    Rule("review_conference_by", N_("Next review conference"), "months", 6, frozenset({"review"}), EVERYONE,
         f"{WORKING_TOGETHER}; {KIRKLEES}: 'and 6 monthly thereafter'"),
)

_AREA_RULES: dict[str, tuple[Rule, ...]] = {
    "lincolnshire": (
        # The working day before the report is due (two before an initial conference, five before a review).
        _talk(-3, FIRST, f"{LINCOLNSHIRE}: 'discussing your report with them and providing them with a copy of this "
                         "before submitting the report to conference'"),
        _talk(-6, frozenset({"review"}), f"{LINCOLNSHIRE}: 'discussing your report with them and providing them "
                                         "with a copy of this before submitting the report to conference'"),
        LINCOLNSHIRE_REPORT_FIRST,
        LINCOLNSHIRE_REPORT_REVIEW,
    ),
    "staffordshire": (
        _talk(-3, ALL, f"{STAFFORDSHIRE}: 'any information a practitioner is intending to share with child protection "
                       "conference should be communicated to parents in advance'"),
        Rule("report_due", N_("Your written report"), "working_days", -2, ALL, PRACTITIONERS,
             f"{STAFFORDSHIRE}: 'at least two working days in advance of the conference'"),
        Rule("practitioners_arrive", N_("Arrive at the venue"), "minutes", -30, ALL, PRACTITIONERS,
             f"{STAFFORDSHIRE}: 'arrive at the conference venue at least thirty minutes prior to the scheduled start time'"),
    ),
    "leicester": (
        # Before an initial or pre-birth conference the invite list goes with the booking.
        Rule("booking", N_("Book the date with the diary clerk within 24 hours of the request being agreed, "
                           "and send the invite list with it"), "event", 0, FIRST, SOCIAL_WORKER,
             f"{LEICESTER}: 'Social Worker to book date with Diary Clerk within 24 hours of the request being agreed. "
             "The SW must provide an invite list at this stage'", shape="step"),
        # The invite list is the invitation form (one task). Its "3 weeks" (2 for pre-birth)
        # cannot apply to a conference booked closer than that: the list went with the booking.
        Rule("invite_list_due", N_("Invite list (the invitation form) to the safeguarding unit"), "weeks", -3,
             frozenset({"initial"}), SOCIAL_WORKER,
             f"{LEICESTER} (invitation form): 'at least 3 weeks prior to the meeting date'", only_if_ahead=True),
        Rule("invite_list_due", N_("Invite list (the invitation form) to the safeguarding unit"), "weeks", -2,
             frozenset({"pre_birth"}), SOCIAL_WORKER,
             f"{LEICESTER} (pre-birth invitation form): 'at least 2 weeks prior to the meeting date'", only_if_ahead=True),
        # For a review, 15 working days is never later than the form's 3 weeks: one date meets both.
        Rule("invite_list_due", N_("Invite list (the invitation form) to the safeguarding unit"), "working_days", -15,
             frozenset({"review"}), SOCIAL_WORKER,
             f"{LEICESTER}: 'Social Worker to send Invite List to safeguardingunitinvites@leicester.gov.uk to be "
             "received:-'; '15 working days before an RCPC'"),
        Rule("chair_discussion", N_("The chair's talk with you before the conference (the chair arranges it)"), "days", -10,
             ALL, SOCIAL_WORKER,
             f"{LEICESTER}: 'The Chairperson will initiate a pre-conference discussion with the Social Worker and/or "
             "Team Manager within the 10 days leading up to the conference.'", shape="window"),
        REPORTS_TO_PARENTS_48_HOURS,
        Rule("parents_arrive", N_("Parents arrive to meet the chair"), "minutes", -15, ALL, FAMILY_AND_SW,
             f"{LEICESTER}: 'Parents to be advised to arrive for the conference 15 mins before the start time to meet "
             "with the Chair'"),
        Rule("professionals_room", N_("Be in the professionals' room to read the social worker's report"), "minutes", -15,
             ALL, OTHER_PROFESSIONALS,
             f"{LEICESTER}: '15 minutes before the start of the meeting to professionals (who will be waiting in the "
             "professionals room)'"),
    ),
    "kirklees": (
        # For practitioners the same day is their talk with the family and the copy they give: one task.
        KIRKLEES_REPORTS_3_WORKING_DAYS,
        _talk(-3, ALL, f"{KIRKLEES}: 'prepare a report which they should share with you in advance'"),
        KIRKLEES_NOTES_15_WORKING_DAYS,
        # Core group and review conferences: the national rules, which the leaflet repeats.
    ),
    # Cumbria's guidance (003) is about plain language and Signs of Safety; it sets no
    # timescales, so the national ones apply (its reports are shared with families, by the national day).
    "cumbria": (
        _talk(-3, ALL, f"{CUMBRIA}: 'it is essential that all professional reports are shared with families in "
                       "advance of the conference'"),
    ),
    "national": (),
}

ALIASES = {"stoke": "staffordshire", "stoke-on-trent": "staffordshire", "staffordshire-and-stoke": "staffordshire",
           "england": "national"}

AREAS = tuple(sorted(_AREA_RULES))


def rules_for(area: str) -> tuple[Rule, ...]:
    """The area's own rules, with the national rule for every key the area does not set."""
    own = _AREA_RULES[area]
    own_keys = {(r.key, k) for r in own for k in r.kinds}
    inherited = tuple(replace(r, kinds=frozenset(k for k in r.kinds if (r.key, k) not in own_keys)) for r in NATIONAL)
    return own + tuple(r for r in inherited if r.kinds)
