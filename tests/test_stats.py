"""信息采用情况 against hand-counted data: periods, local-time boundaries, ranking, exports, the unit's page."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.urls import reverse

from issues.models import Article, Brief, Issue
from reports import stats
from reports.models import Report
from tests.desk import make_report

S = Report.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SHANGCHENG = "上城区人大常委会办公室"
XIHU = "西湖区人大常委会办公室"


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def submitted(user, when, status=S.SUBMITTED, editor=None):
    report = make_report(user, f"{user.username}-{when:%m%d%H%M}", status=status, editor=editor)
    Report.objects.filter(pk=report.pk).update(submitted_at=when)
    return report


def issue(date, status=Issue.Status.PUBLISHED, number=1):
    return Issue.objects.create(
        kind="regular", year=date.year, number=number, total_number=number, date=date, status=status
    )


@pytest.fixture
def activity(submitter, other_submitter, editor):
    """上城: 4 reports (one in March, three in April), 2 accepted; 西湖: 2 in May, both accepted; one draft."""
    submitted(submitter, at(2024, 3, 31, 23, 30), S.ACCEPTED, editor)  # March, local time
    submitted(submitter, at(2024, 4, 1, 0, 10), S.ACCEPTED, editor)  # April, although still March 31 in UTC
    submitted(submitter, at(2024, 4, 15, 9), S.DECLINED, editor)
    submitted(submitter, at(2024, 4, 20, 9))
    submitted(other_submitter, at(2024, 5, 6, 9), S.ACCEPTED, editor)
    submitted(other_submitter, at(2024, 5, 7, 9), S.ACCEPTED, editor)
    make_report(other_submitter, "西湖草稿", status=S.DRAFT)
    shangcheng, xihu = submitter.profile.unit, other_submitter.profile.unit
    april = issue(datetime.date(2024, 4, 10), number=1)
    july = issue(datetime.date(2024, 7, 5), number=2)
    draft = issue(datetime.date(2024, 5, 1), status=Issue.Status.DRAFT, number=None)
    for position, (target, unit) in enumerate(
        [(april, shangcheng), (april, shangcheng), (april, xihu), (july, shangcheng), (draft, xihu)]
    ):
        Article.objects.create(issue=target, title=f"文章{position}", body="<p>正文</p>", unit=unit, position=position)
    Brief.objects.create(issue=april, body="<p><strong>西湖区</strong>摘登</p>", unit=xihu, position=1)


def figures(rows):
    return {row.name: (row.rank, row.submitted, row.accepted, row.articles, row.briefs, row.rate_label) for row in rows}


def test_second_quarter_per_unit(activity):
    rows = stats.unit_rows(stats.Period("quarter", 2024, 2))
    assert figures(rows) == {
        SHANGCHENG: (1, 3, 1, 2, 0, "33.3%"),
        XIHU: (2, 2, 2, 1, 1, "100.0%"),
    }
    assert [row.name for row in rows] == [SHANGCHENG, XIHU]  # same count printed, more articles first


def test_months_and_the_year(activity):
    assert figures(stats.unit_rows(stats.Period("month", 2024, 4))) == {
        SHANGCHENG: (1, 3, 1, 2, 0, "33.3%"),
        XIHU: (2, 0, 0, 1, 1, "—"),
    }
    assert figures(stats.unit_rows(stats.Period("month", 2024, 3))) == {SHANGCHENG: (1, 1, 1, 0, 0, "100.0%")}
    assert figures(stats.unit_rows(stats.Period("year", 2024))) == {
        SHANGCHENG: (1, 4, 2, 3, 0, "50.0%"),
        XIHU: (2, 2, 2, 1, 1, "100.0%"),
    }
    assert stats.unit_rows(stats.Period("year", 2023)) == []


def test_per_district_includes_every_district(activity):
    rows = stats.district_rows(stats.unit_rows(stats.Period("quarter", 2024, 2)))
    assert len(rows) == 14
    assert figures(rows)["上城区"] == (1, 3, 1, 2, 0, "33.3%")
    assert figures(rows)["西湖区"] == (2, 2, 2, 1, 1, "100.0%")
    assert figures(rows)["建德市"] == (3, 0, 0, 0, 0, "—")  # the twelve without figures share third place


def test_periods_from_the_query():
    assert stats.Period.from_query({"period": "month", "year": "2024", "month": "12"})[0].end == datetime.date(
        2025, 1, 1
    )
    assert stats.Period.from_query({"period": "quarter", "year": "2024", "quarter": "3"})[0].label == "2024年第三季度"
    period, problem = stats.Period.from_query({"period": "month", "month": "13"}, today=datetime.date(2026, 5, 1))
    assert (period, problem) == (stats.Period("year", 2026), "统计期间填写有误，已显示本年度。")
    # the forms send the month and quarter selects whatever the kind: a year ignores them
    everything = {"period": "year", "year": "2023", "month": "5", "quarter": "2"}
    assert stats.Period.from_query(everything) == (stats.Period("year", 2023), "")
    assert stats.Period.from_query({**everything, "period": "quarter"})[0] == stats.Period("quarter", 2023, 2)


def test_the_editor_page_shows_tables_chart_and_exports(client, editor, activity):
    client.force_login(editor)
    url = reverse("admin:reports_report_stats") + "?period=quarter&year=2024&quarter=2"
    text = client.get(url).text
    assert "2024年第二季度 信息采用情况" in text
    assert "报送 5 篇，采用 3 篇（采用率 60.0%），刊用文章 3 篇、信息摘登 1 则" in text
    assert 'class="chart-bar"' in text and "width: 100.0%" in text  # 上城's two articles are the longest bar

    csv_text = client.get(url + "&export=csv").content.decode("utf-8-sig")
    assert "1,上城区人大常委会办公室,上城区,3,1,2,0,2,0.3333,0.0,1" in csv_text.splitlines()
    assert "2,西湖区人大常委会办公室,西湖区,2,2,1,1,2,1.0,0.0,1" in csv_text.splitlines()

    from openpyxl import load_workbook

    response = client.get(url + "&export=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按区县", "按单位"]
    rows = list(workbook["按单位"].iter_rows(min_row=3, values_only=True))
    assert rows == [
        (1, SHANGCHENG, "上城区", 3, 1, 2, 0, 2, 0.3333, 0, 1),  # 积分 0 without a rule set
        (2, XIHU, "西湖区", 2, 2, 1, 1, 2, 1, 0, 1),
    ]


def test_the_editor_page_is_refused_to_submitters(client, submitter):
    client.force_login(submitter)
    assert client.get(reverse("admin:reports_report_stats")).status_code == 302


def test_the_unit_sees_its_own_figures(client, submitter, activity):
    client.force_login(submitter)
    text = client.get("/submit/stats/?period=quarter&year=2024&quarter=2").text
    assert SHANGCHENG in text and XIHU not in text
    assert (
        re.search(r'<td data-label="报送">3</td><td data-label="采用">1</td><td data-label="采用率">33.3%</td>', text)
        and "第 1 名（共 2 个单位）" in text
    )
    text = client.get("/submit/stats/?period=month&year=2024&month=99").text
    assert "统计期间填写有误" in text


def test_the_unit_page_needs_a_login(client):
    assert client.get("/submit/stats/").status_code == 302
