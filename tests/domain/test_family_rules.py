"""The rules a family is told, by area (issue 18 point 1): each from a seed, named, defined once."""

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from cpc_bot.clock import LONDON
from cpc_bot.domain import areas
from cpc_bot.domain.family_rules import IN_ADVANCE_SOURCES, family_area, notes_due, reports_due
from cpc_bot.domain.local_contacts import areas_with_contacts, contacts_for
from cpc_bot.domain.parent_reminders import plan_parent_reminders

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def test_leicester_48_hours_before_a_start_time() -> None:
    # Thursday 10 December 2026 at 14:00: the reports by Tuesday at 14:00, the same rule as the social worker's.
    due = reports_due("leicester", "initial", datetime(2026, 12, 10, 14, 0, tzinfo=LONDON))
    assert due.rule == "leicester_48_hours" and due.moved_from is None
    assert due.due == datetime(2026, 12, 8, 14, 0, tzinfo=LONDON)
    assert due.source == areas.REPORTS_TO_PARENTS_48_HOURS.source


def test_leicester_48_hours_on_a_weekend_moves_to_the_working_day_before_and_says_so() -> None:
    # Monday 14 December: 48 hours before is Saturday 12th, so Friday 11th.
    for conference in (date(2026, 12, 14), datetime(2026, 12, 14, 10, 0, tzinfo=LONDON)):
        due = reports_due("leicester", "review", conference)
        assert due.due_day == date(2026, 12, 11) and due.moved_from == date(2026, 12, 12)
    # Monday 4 January 2027: Saturday 2nd, and Friday 1st is New Year's Day: Thursday 31 December.
    assert reports_due("leicester", "initial", date(2027, 1, 4)).due_day == date(2026, 12, 31)


def test_kirklees_three_working_days_and_its_notes() -> None:
    # Wednesday 30 December 2026: 3 working days back skips Christmas and the Boxing Day holiday.
    due = reports_due("kirklees", "pre_birth", date(2026, 12, 30))
    assert (due.rule, due.due, due.working_days) == ("kirklees_3_working_days", date(2026, 12, 23), 3)
    assert due.source == areas.KIRKLEES_REPORTS_3_WORKING_DAYS.source
    notes = notes_due("kirklees", date(2026, 12, 30))
    assert (notes.rule, notes.due) == ("kirklees_15_working_days", date(2027, 1, 21))


def test_lincolnshire_before_each_report_is_sent() -> None:
    assert reports_due("lincolnshire", "initial", date(2026, 12, 30)).due == date(2026, 12, 24)
    assert reports_due("lincolnshire", "review", date(2026, 12, 30)).due == date(2026, 12, 21)
    assert reports_due("lincolnshire", "not_sure", date(2026, 12, 30)).working_days == 2  # by then either way


@pytest.mark.parametrize("area", ["staffordshire", "cumbria", "national", "elsewhere", "not_known", None])
def test_no_local_number_of_days_is_in_advance_named(area: str | None) -> None:
    due = reports_due(area or "", "initial", date(2026, 12, 30))
    assert due.rule == "in_advance" and due.due == date(2026, 12, 23)  # the reminder to ask comes then
    assert due.source == IN_ADVANCE_SOURCES[family_area(area)]
    assert notes_due(area or "", date(2026, 12, 30)).rule == "ask"  # no notes timescale claimed


def test_review_and_pre_birth_parents_get_the_notes_reminder() -> None:
    for kind in ("review", "pre_birth", "initial", "not_sure"):
        plan = {p.what: p for p in plan_parent_reminders(date(2026, 12, 30), time(10, 0), kind, NOW, "kirklees")}
        assert plan["notes_by"].params["notes_by"] == "2027-01-21", kind
        assert ("next_steps" in plan) == (kind in ("initial", "pre_birth")), kind


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are kept next to the repository")
def test_every_source_and_contact_quotes_its_seed() -> None:
    def flat(text: str) -> str:
        return " ".join(text.replace("’", "'").split())

    cited = [*IN_ADVANCE_SOURCES.values(), *(c.source for area in areas_with_contacts() for c in contacts_for(area))]
    for source in cited:
        name, _sep, quote = source.partition(": '")
        if not quote:
            continue  # national guidance: no seed to quote
        seed = flat((SEEDS / name).read_text(encoding="utf-8"))
        assert flat(quote.rstrip("'")) in seed, source
    for area in areas_with_contacts():
        for contact in contacts_for(area):
            seed = flat((SEEDS / contact.source.split(":")[0]).read_text(encoding="utf-8"))
            assert contact.phone is None or contact.phone in seed, contact
            assert contact.email is None or contact.email in seed, contact


def test_leicester_contacts_are_the_seeds_numbers() -> None:
    leicester = {c.key: c for c in contacts_for("leicester")}
    assert leicester["childrens_rights"].title == "The Children's Rights and Participation Service"
    assert leicester["childrens_rights"].phone == "0116 454 2425"
    assert leicester["childrens_rights"].email == "childrensrights@leicester.gov.uk"
    assert leicester["safeguarding_unit"].phone == "0116 454 2440"
    assert contacts_for("national") == ()
