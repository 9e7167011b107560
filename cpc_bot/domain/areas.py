"""Each area's conference timescales, as data. Where a seed is silent, the national rule applies.

Offsets are negative before the conference and positive after it. Sources: the seed
documents in ``shared/seeds`` (000 Lincolnshire, 001 Staffordshire & Stoke-on-Trent,
002 Kirklees, 003 Cumbria, 004 Leicester) and *Working Together to Safeguard Children*.
"""

from __future__ import annotations

from dataclasses import dataclass

from cpc_bot.i18n.markers import N_

KINDS = ("initial", "review", "pre_birth")
ROLES = ("professional", "social_worker", "parent")
ALL = frozenset(KINDS)
FIRST = frozenset({"initial", "pre_birth"})
EVERYONE = frozenset(ROLES)
PRACTITIONERS = frozenset({"professional", "social_worker"})
SOCIAL_WORKER = frozenset({"social_worker"})
FAMILY_AND_SW = frozenset({"social_worker", "parent"})


@dataclass(frozen=True)
class Rule:
    key: str
    title: str  # plain English; translated where shown
    unit: str  # working_days | days | weeks | months | hours | minutes
    amount: int  # negative: before the conference
    kinds: frozenset[str]
    roles: frozenset[str]
    source: str


WORKING_TOGETHER = "Working Together to Safeguard Children (national)"

NATIONAL: tuple[Rule, ...] = (
    Rule("core_group_by", N_("First core group meeting by"), "working_days", 10, FIRST, EVERYONE, WORKING_TOGETHER),
    Rule("review_conference_by", N_("Review conference by"), "months", 3, FIRST, EVERYONE, WORKING_TOGETHER),
    Rule("review_conference_by", N_("Next review conference by"), "months", 6, frozenset({"review"}), EVERYONE, WORKING_TOGETHER),
)

_AREA_RULES: dict[str, tuple[Rule, ...]] = {
    "lincolnshire": (
        Rule("report_due", N_("Your written report is due"), "working_days", -2, FIRST, PRACTITIONERS,
             "000 Lincolnshire briefing: two working days before an initial conference"),
        Rule("report_due", N_("Your written report is due"), "working_days", -5, frozenset({"review"}), PRACTITIONERS,
             "000 Lincolnshire briefing: five working days before a review conference"),
    ),
    "staffordshire": (
        Rule("report_due", N_("Your written report is due"), "working_days", -2, ALL, PRACTITIONERS,
             "001 Staffordshire & Stoke-on-Trent guidance: at least two working days in advance"),
        Rule("practitioners_arrive", N_("Arrive at the venue"), "minutes", -30, ALL, PRACTITIONERS,
             "001 Staffordshire & Stoke-on-Trent guidance: at least thirty minutes before the start"),
    ),
    "leicester": (
        Rule("invite_list_due", N_("Invite list to the safeguarding unit"), "working_days", -15, frozenset({"review"}), SOCIAL_WORKER,
             "004 Leicester 'How to prepare well': 15 working days before an RCPC"),
        Rule("invite_form_due", N_("Invitation form back to the safeguarding unit"), "weeks", -3, frozenset({"initial", "review"}), SOCIAL_WORKER,
             "004 Leicester invitation form: at least 3 weeks before the meeting"),
        Rule("invite_form_due", N_("Invitation form back to the safeguarding unit"), "weeks", -2, frozenset({"pre_birth"}), SOCIAL_WORKER,
             "004 Leicester pre-birth invitation form: at least 2 weeks before the meeting"),
        Rule("chair_discussion_from", N_("The chair's pre-conference discussion can start"), "days", -10, ALL, SOCIAL_WORKER,
             "004 Leicester: within the 10 days leading up to the conference"),
        Rule("sw_report_to_parents_by", N_("Social worker's report, chronology and plan shared with parents"), "hours", -48, ALL, FAMILY_AND_SW,
             "004 Leicester: at least 48 hours before the meeting"),
        Rule("parents_arrive", N_("Parents arrive to meet the chair"), "minutes", -15, ALL, FAMILY_AND_SW,
             "004 Leicester: parents arrive 15 minutes before the start"),
    ),
    "kirklees": (
        Rule("reports_to_family_by", N_("Family should have every report"), "working_days", -3, ALL, EVERYONE,
             "002 Kirklees parents' leaflet: copies of all reports three working days in advance"),
        Rule("core_group_by", N_("First core group meeting by"), "working_days", 10, FIRST, EVERYONE,
             "002 Kirklees parents' leaflet: within 10 working days of the initial conference"),
        Rule("notes_to_family_by", N_("Notes of the meeting sent to the family by"), "working_days", 15, ALL, EVERYONE,
             "002 Kirklees parents' leaflet: within 15 working days after the conference"),
        Rule("review_conference_by", N_("Review conference by"), "months", 3, FIRST, EVERYONE,
             "002 Kirklees parents' leaflet: no later than 3 months after the initial conference"),
        Rule("review_conference_by", N_("Next review conference by"), "months", 6, frozenset({"review"}), EVERYONE,
             "002 Kirklees parents' leaflet: 6-monthly thereafter"),
    ),
    # Cumbria's guidance (003) is about plain language and Signs of Safety; it sets no
    # timescales, so the national rules apply.
    "cumbria": (),
    "national": (),
}

ALIASES = {"stoke": "staffordshire", "stoke-on-trent": "staffordshire", "staffordshire-and-stoke": "staffordshire",
           "england": "national"}

AREAS = tuple(sorted(_AREA_RULES))


def rules_for(area: str) -> tuple[Rule, ...]:
    """The area's own rules, with the national rule for every key the area does not set."""
    own = _AREA_RULES[area]
    own_keys = {(r.key, k) for r in own for k in r.kinds}
    inherited = tuple(
        Rule(r.key, r.title, r.unit, r.amount, frozenset(k for k in r.kinds if (r.key, k) not in own_keys), r.roles, r.source)
        for r in NATIONAL
    )
    return own + tuple(r for r in inherited if r.kinds)
