"""`cpc-bot deadlines`: JSON for tools, one clear line for mistakes."""

import json

import pytest

from cpc_bot.cli import main


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadlines", "--area", "lincolnshire", "--kind", "initial", "--date", "2026-12-30", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[1] == {"key": "report_due", "due": "2026-12-24", "title": "Your written report", "shape": "deadline",
                       "working_days": True, "source": "000_6faa439c50d28911.txt: 'two working days before an initial conference'",
                       "when": "before", "moved_from": None}
    assert [r["key"] for r in rows] == ["talk_family_by", "report_due", "core_group_by", "review_conference_by"]
    assert rows[0]["due"] == "2026-12-23"  # the working day before the report is due


def test_time_gives_datetimes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadlines", "--area", "leicester", "--kind", "review", "--date", "2027-01-12", "--time", "10:00", "--json"]) == 0
    rows = {r["key"]: r["due"] for r in json.loads(capsys.readouterr().out)}
    assert rows["parents_arrive"] == "2027-01-12T09:45:00+00:00"


def test_text_output_says_why_a_deadline_moved(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadlines", "--area", "leicester", "--kind", "initial", "--date", "2027-01-04", "--time", "10:00",
                 "--role", "social_worker"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip().startswith("Book the date with the diary clerk within 24 hours of the request being agreed")
    assert ("Thu 31 Dec 2026 10:00  Social worker's report and chronology to the chair and the parents "
            "(moved from Sat 02 Jan 2027: weekends and bank holidays are not working days)") in lines
    assert ("Fri 25 Dec 2026        The chair's talk with you before the conference (the chair arranges it) "
            "(from this day until the conference)") in lines


@pytest.mark.parametrize(("args", "message"), [
    (["--area", "mars", "--kind", "initial", "--date", "2027-01-12"], "unknown area 'mars'"),
    (["--area", "kirklees", "--kind", "final", "--date", "2027-01-12"], "unknown conference kind 'final'"),
    (["--area", "kirklees", "--kind", "initial", "--date", "2026-02-31"], "'2026-02-31' is not a real date"),
    (["--area", "kirklees", "--kind", "initial", "--date", "2027-01-12", "--time", "25:00"], "'25:00' is not a time"),
    (["--area", "kirklees", "--kind", "initial"], "the following arguments are required: --date"),
])
def test_mistakes_give_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["deadlines", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cpc-bot deadlines: ") and message in err and err.count("\n") == 1


def test_weekend_warning_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadlines", "--area", "kirklees", "--kind", "initial", "--date", "2026-12-26"]) == 0
    captured = capsys.readouterr()
    assert "warning: Saturday 26 December 2026 is not a working day (Boxing Day)" in captured.err
    assert "Family should have every report" in captured.out
