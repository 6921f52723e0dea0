"""积分: each event scores as its year's rule set says, sum vs highest, deductions, two years apart, the samples."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from issues.models import Article, Brief, Issue
from network import scoring
from network.models import Instruction, Rule, RuleSet
from reports.models import Contributor, Report
from reports.stats import Period
from tests.conftest import SEEDS, import_seed
from tests.network import answer, at_local, make_call

EVERY_RULE = {
    "article": 4,
    "brief": 2,
    "special": 6,
    "call_answered": 1,
    "instruction_province": 8,
    "instruction_city": 5,
    "instruction_district": 3,
    "call_late": -1,
    "zero_month": -2,
}


def rule_set(year, points, combine="sum"):
    return scoring.import_rule_set(
        {"year": year, "combine": combine, "rules": [{"event": e, "points": p} for e, p in points.items()]}
    )


def issue(date, kind="regular", number=1):
    return Issue.objects.create(
        kind=kind,
        year=date.year,
        number=number,
        total_number=number if kind == "regular" else None,
        date=date,
        status=Issue.Status.PUBLISHED,
    )


def article(target, unit, report=None, position=1):
    return Article.objects.create(
        issue=target, title=f"文章{position}", body="<p>正文</p>", unit=unit, position=position, report=report
    )


def instruction(piece, level, date):
    return Instruction.objects.create(piece=piece, leader="某某", level=level, date=date, text="请总结推广。")


def score_of(period, unit):
    return next(s for s in scoring.unit_scores(period) if s.unit == unit)


@pytest.fixture
def report_with_outcomes(submitter):
    """A report of 上城 answering a call on time, printed as an article in April 2024, with a 市级 instruction."""
    unit = submitter.profile.unit
    call = make_call(deadline=datetime.date(2024, 4, 5))
    report = answer(call, submitter, status="accepted", submitted_at=at_local(datetime.date(2024, 4, 2)))
    piece = article(issue(datetime.date(2024, 4, 10)), unit, report)
    instruction(piece, Instruction.Level.CITY, datetime.date(2024, 4, 20))
    return unit


def test_each_event_scores_as_the_rule_set_says(submitter, editor):
    rule_set(2024, EVERY_RULE)
    unit = submitter.profile.unit
    call = make_call(deadline=datetime.date(2024, 5, 10))
    on_time = answer(call, submitter, status="submitted", submitted_at=at_local(datetime.date(2024, 5, 9)))
    answer(call, submitter, status="submitted", submitted_at=at_local(datetime.date(2024, 5, 11)))
    may = issue(datetime.date(2024, 5, 20))
    piece = article(may, unit, on_time)
    Brief.objects.create(issue=may, body="<p>摘登</p>", unit=unit, position=1)
    special = issue(datetime.date(2024, 6, 1), kind="special", number=1)
    special_piece = article(special, unit, position=1)
    instruction(piece, "province", datetime.date(2024, 5, 25))
    instruction(piece, "city", datetime.date(2024, 5, 26))
    instruction(special_piece, "district", datetime.date(2024, 6, 3))

    score = score_of(Period("quarter", 2024, 2), unit)
    # April: nothing sent (zero month); May: two reports; June: a piece printed (in the 专刊), so not a zero month.
    assert score.events == {
        "article": 1,
        "brief": 1,
        "special": 1,
        "call_answered": 1,
        "instruction_province": 1,
        "instruction_city": 1,
        "instruction_district": 1,
        "call_late": 1,
        "zero_month": 1,
    }
    assert score.points == 4 + 2 + 6 + 1 + 8 + 5 + 3 - 1 - 2
    by_event = {item.event: item for item in score.items}
    assert by_event["special"].piece == special_piece and by_event["special"].issue == special
    assert by_event["instruction_city"].instruction.level == "city"
    assert by_event["call_late"].answer.call == call
    assert all(item.has_rule for item in score.items)


def test_a_month_with_an_imported_piece_is_not_a_zero_month(submitter, other_submitter):
    """An imported issue's piece (no report) shows that its unit sent in that month: no zero_month for it."""
    rule_set(2024, {"article": 4, "zero_month": -2})
    article(issue(datetime.date(2024, 4, 10)), submitter.profile.unit)
    april = Period("month", 2024, 4)
    assert score_of(april, submitter.profile.unit).events == {"article": 1}
    assert score_of(april, other_submitter.profile.unit).events == {"zero_month": 1}
    assert score_of(april, submitter.profile.unit).sent == 1


def test_an_event_without_a_rule_scores_nothing(report_with_outcomes):
    rule_set(2024, {"article": 4})
    score = score_of(Period("year", 2024), report_with_outcomes)
    assert score.events == {"article": 1, "call_answered": 1, "instruction_city": 1}
    assert score.points == 4
    assert {item.event: item.note for item in score.items}["call_answered"] == "规则未设此项"


def test_sum_adds_the_outcomes_of_one_report(report_with_outcomes):
    rule_set(2024, EVERY_RULE, combine="sum")
    assert score_of(Period("month", 2024, 4), report_with_outcomes).points == 4 + 1 + 5


def test_highest_counts_only_the_best_outcome_of_one_report(report_with_outcomes):
    rule_set(2024, EVERY_RULE, combine="highest")
    score = score_of(Period("month", 2024, 4), report_with_outcomes)
    assert score.points == 5
    counted = {item.event: item.counted for item in score.items}
    assert counted == {"article": 0, "call_answered": 0, "instruction_city": 5}


def test_highest_keeps_separate_reports_apart_and_deductions_in_full(submitter):
    rule_set(2024, EVERY_RULE, combine="highest")
    unit = submitter.profile.unit
    call = make_call(deadline=datetime.date(2024, 4, 5))
    late = answer(call, submitter, status="accepted", submitted_at=at_local(datetime.date(2024, 4, 8)))
    other = answer(call, submitter, status="accepted", submitted_at=at_local(datetime.date(2024, 4, 9)))
    april = issue(datetime.date(2024, 4, 10))
    article(april, unit, late, position=1)
    article(april, unit, other, position=2)
    score = score_of(Period("month", 2024, 4), unit)
    assert score.events == {"article": 2, "call_late": 2}
    assert score.points == 4 + 4 - 1 - 1


def test_zero_month_only_for_ended_months_of_units_without_reports(submitter, other_submitter, editor):
    rule_set(2024, {"zero_month": -2})
    call = make_call(deadline=datetime.date(2024, 2, 20))
    answer(call, submitter, submitted_at=at_local(datetime.date(2024, 2, 10)))
    shangcheng, xihu = submitter.profile.unit, other_submitter.profile.unit
    first_quarter = Period("quarter", 2024, 1)
    assert score_of(first_quarter, shangcheng).points == -4  # January and March
    assert score_of(first_quarter, xihu).points == -6
    assert score_of(first_quarter, xihu).events == {"zero_month": 3}
    # A month not over yet is no zero month.
    assert not any(
        item.event == "zero_month"
        for item in scoring.period_events(first_quarter, today=datetime.date(2024, 2, 15))
        if item.date.month == 2
    )
    # 研究室 (the editors' unit) is not a network unit.
    assert "研究室" not in {s.unit.name for s in scoring.unit_scores(first_quarter)}


def test_rule_sets_of_two_years_do_not_interfere(submitter):
    unit = submitter.profile.unit
    rule_set(2024, {"article": 4})
    rule_set(2025, {"article": 10}, combine="highest")
    article(issue(datetime.date(2024, 12, 30), number=20), unit)
    article(issue(datetime.date(2025, 1, 3), number=1), unit)
    assert score_of(Period("year", 2024), unit).points == 4
    assert score_of(Period("year", 2025), unit).points == 10
    rule_set(2025, {"article": 1})  # next year's rules change: last year's scores stay
    assert score_of(Period("year", 2024), unit).points == 4
    assert score_of(Period("year", 2025), unit).points == 1


@pytest.mark.django_db
def test_the_sample_issues_score_from_a_rule_set_written_here():
    for path in SEEDS:
        import_seed(path)
    rule_set(2024, {"article": 4, "brief": 2, "special": 6})
    year = {row["unit"]: row for row in json.loads(_scores("--year", "2024"))}
    expected = {
        "上城区人大常委会办公室": 8,  # an article in 第2期 and one in 第4期
        "富阳区人大常委会办公室": 8,
        "建德市人大常委会办公室": 8,
        "拱墅区人大常委会办公室": 6,  # an article in 第2期, a brief in 第4期
        "余杭区人大常委会办公室": 6,  # a brief in 第2期, an article in 第4期
        "滨江区人大常委会": 6,  # the 专刊
        "西湖区人大常委会": 4,
        "预算工委": 4,
        "临平区人大常委会": 2,
        "萧山区人大常委会办公室": 2,
    }
    assert {name: year[name]["points"] for name in expected} == expected
    assert year["拱墅区人大常委会办公室"]["events"] == {"article": 1, "brief": 1}
    assert year["滨江区人大常委会"]["events"] == {"special": 1}
    assert year["上城区人大常委会办公室"]["district"] == "上城区"
    # 26 pieces: 17 articles and 8 briefs of the two 普刊, one piece of the 专刊; 21 printed units.
    assert len(year) == 21 and sum(row["points"] for row in year.values()) == 17 * 4 + 8 * 2 + 6
    ranked = list(year.values())
    assert [row["points"] for row in ranked] == sorted((row["points"] for row in ranked), reverse=True)
    quarter = json.loads(_scores("--year", "2024", "--quarter", "2"))
    assert {row["unit"]: row["points"] for row in quarter}["余杭区人大常委会办公室"] == 4
    assert "滨江区人大常委会" not in {row["unit"] for row in quarter}
    assert json.loads(_scores("--year", "2024", "--month", "7")) == [
        {"unit": "滨江区人大常委会", "district": "滨江区", "points": 6.0, "events": {"special": 1}}
    ]


def _scores(*args) -> str:
    out = io.StringIO()
    call_command("scores", *args, "--format", "json", stdout=out)
    return out.getvalue()


def test_scoring_rules_export_and_import_keep_the_json_shape(db, tmp_path):
    path = tmp_path / "rules.json"
    data = {
        "year": 2024,
        "combine": "highest",
        "rules": [{"event": "article", "points": 4}, {"event": "zero_month", "points": -1.5}],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("scoring_rules", "import", str(path))
    rules = RuleSet.objects.get(year=2024)
    assert rules.combine == "highest"
    assert {r.event: r.points for r in rules.rules.all()} == {"article": Decimal(4), "zero_month": Decimal("-1.5")}
    out = tmp_path / "out.json"
    call_command("scoring_rules", "export", str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == data
    data["rules"] = [{"event": "brief", "points": 2}]
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("scoring_rules", "import", str(path))  # replaces the year's rules as a whole
    assert list(Rule.objects.values_list("event", flat=True)) == ["brief"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"year": 2024, "combine": "max", "rules": []}, "combine"),
        ({"year": 2024, "rules": [{"event": "poem", "points": 1}]}, "未知的计分事项"),
        ({"year": 2024, "rules": [{"event": "article", "points": "4"}]}, "应为数字"),
        ({"year": "2024", "rules": []}, "year"),
    ],
)
def test_scoring_rules_import_refuses_bad_json_and_keeps_the_old_rules(db, tmp_path, data, message):
    rule_set(2024, {"article": 4})
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("scoring_rules", "import", str(path))
    assert list(Rule.objects.values_list("event", "points")) == [("article", Decimal(4))]


def test_adoption_statistics_gain_points_and_rank(client, editor, submitter, other_submitter):
    rule_set(2024, {"article": 4, "brief": 2})
    april = issue(datetime.date(2024, 4, 10))
    article(april, submitter.profile.unit)
    Brief.objects.create(issue=april, body="<p>摘登</p>", unit=other_submitter.profile.unit, position=1)
    client.force_login(editor)
    url = reverse("admin:reports_report_stats") + "?period=year&year=2024&export=csv"
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    header = rows[rows.index(["按单位"]) + 1]
    assert header[-2:] == ["积分", "积分排名"]
    by_name = {row[1]: row for row in rows if len(row) == len(header)}
    assert by_name["上城区人大常委会办公室"][-2:] == ["4.0", "1"]
    assert by_name["西湖区人大常委会办公室"][-2:] == ["2.0", "2"]
    page = client.get(reverse("admin:reports_report_stats") + "?period=year&year=2024")
    assert "积分排名" in page.content.decode()
    client.force_login(submitter)
    own = client.get(reverse("unit_stats") + "?period=year&year=2024").content.decode()
    assert "积分排名" in own and "第 1 名" in own


def test_adoption_exports_never_carry_a_formula(client, editor):
    unit = Contributor.objects.create(name='=HYPERLINK("http://x")人大', district="shangcheng")
    article(issue(datetime.date(2024, 4, 10)), unit)
    client.force_login(editor)
    base = reverse("admin:reports_report_stats") + "?period=year&year=2024&export="
    text = client.get(base + "csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(base + "xlsx").content))
    cells = [
        c for row in book["按单位"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells and all(c.data_type == "s" and c.value.startswith("'") for c in cells)


def test_reports_submitted_count_by_submission_time_whatever_the_status(submitter):
    call = make_call(deadline=datetime.date(2024, 4, 30))
    report = answer(call, submitter, submitted_at=at_local(datetime.date(2024, 4, 2)))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RETURNED)
    assert score_of(Period("month", 2024, 4), submitter.profile.unit).sent == 1


def test_the_desk_shows_the_ranking_and_each_point_traced_to_its_event(client, editor, report_with_outcomes):
    rule_set(2024, EVERY_RULE, combine="highest")
    client.force_login(editor)
    ranking = client.get(reverse("admin:network_scores") + "?period=year&year=2024").content.decode()
    assert "2024年 积分排名" in ranking and "上城区人大常委会办公室" in ranking and "取最高" in ranking
    unit = report_with_outcomes
    trace = client.get(reverse("admin:network_unit_scores", args=[unit.pk]) + "?period=year&year=2024")
    text = trace.content.decode()
    assert "市级批示（某某）" in text and "约稿“" in text and "同一信息取最高分，本项不计" in text
    assert text.count("<tr><td>2024-04-") == 3


def test_a_unit_cannot_open_the_desk_score_pages(client, submitter):
    client.force_login(submitter)
    response = client.get(reverse("admin:network_scores"))
    assert response.status_code in (302, 403)


def test_the_unit_sees_its_own_trace_and_no_other_units(client, submitter, other_submitter, report_with_outcomes):
    rule_set(2024, {e: p for e, p in EVERY_RULE.items() if e != "zero_month"})
    article(issue(datetime.date(2024, 4, 11), number=2), other_submitter.profile.unit)
    client.force_login(submitter)
    page = client.get(reverse("network:scores") + "?period=year&year=2024").content.decode()
    assert "共 10 分" in page and "市级批示（某某）" in page and "第 1 名" in page
    assert "文章1</a>" not in page.replace("《文章1》", "")  # the other unit's article is not listed
    assert page.count("<tr><td>2024-") == 3


def test_the_network_demo_adds_rule_sets_an_instruction_and_a_draft_circular(editor):
    from network.models import Circular

    for path in SEEDS:
        import_seed(path)
    call_command("load_network_demo", stdout=io.StringIO())
    call_command("load_network_demo", stdout=io.StringIO())  # twice: nothing doubles
    years = set(RuleSet.objects.values_list("year", flat=True))
    assert {2024, datetime.date.today().year} <= years
    assert Instruction.objects.count() == 1 and Instruction.objects.get().is_feedback_overdue()
    circular = Circular.objects.get()
    assert circular.status == "draft" and circular.title.endswith("信息报送采用情况的通报")


def test_the_number_of_queries_does_not_grow_with_the_events(submitter, other_submitter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule_set(2024, EVERY_RULE, combine="highest")
    call = make_call(deadline=datetime.date(2024, 4, 5))

    def add(n, number):
        target = issue(datetime.date(2024, 4, 10 + number), number=number)
        for position in range(n):
            user = submitter if position % 2 else other_submitter
            report = answer(call, user, status="accepted", submitted_at=at_local(datetime.date(2024, 4, 2)))
            piece = article(target, user.profile.unit, report, position=position)
            instruction(piece, "district", datetime.date(2024, 4, 20))

    def count():
        with CaptureQueriesContext(connection) as queries:
            scoring.unit_scores(Period("quarter", 2024, 2))
        return len(queries)

    add(2, 1)
    few = count()
    add(10, 2)
    assert count() == few


def test_an_editor_without_django_permissions_edits_the_rules_in_the_admin(client, db):
    from reports.models import Profile
    from tests.conftest import make_user

    desk = make_user("desk2", Profile.Role.EDITOR, "研究室")  # staff, not superuser, no model permissions
    client.force_login(desk)
    data = {
        "year": 2025,
        "combine": "highest",
        "note": "",
        "rules-TOTAL_FORMS": 2,
        "rules-INITIAL_FORMS": 0,
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
        "rules-0-event": "article",
        "rules-0-points": "5",
        "rules-1-event": "zero_month",
        "rules-1-points": "-1.5",
    }
    response = client.post(reverse("admin:network_ruleset_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = RuleSet.objects.get(year=2025)
    assert rules.combine == "highest"
    assert {r.event: r.points for r in rules.rules.all()} == {"article": 5, "zero_month": Decimal("-1.5")}
    data["rules-1-event"] = "article"  # the same event twice is refused in Chinese
    data["year"] = 2026
    response = client.post(reverse("admin:network_ruleset_add"), data)
    assert response.status_code == 200 and not RuleSet.objects.filter(year=2026).exists()


def test_a_periods_rule_set_is_read_once(submitter, other_submitter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule_set(2024, EVERY_RULE)
    article(issue(datetime.date(2024, 4, 10), number=1), submitter.profile.unit)
    with CaptureQueriesContext(connection) as queries:
        scoring.unit_scores(Period("quarter", 2024, 2))
    table = RuleSet._meta.db_table
    assert sum(f'FROM "{table}"' in query["sql"] for query in queries.captured_queries) == 1
