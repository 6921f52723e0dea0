"""Invariants of the data, backed by the database."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from issues.models import Article, Brief, Issue, Section
from reports.models import Contributor, District

pytestmark = pytest.mark.django_db


def make_issue(**fields):
    values = {"kind": "regular", "year": 2024, "number": 1, "total_number": 689, "date": dt.date(2024, 1, 5)}
    values["status"] = Issue.Status.PUBLISHED
    values.update(fields)
    return Issue.objects.create(**values)


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_issue(**fields)


def test_migrate_seeds_the_13_districts_and_city_units():
    districts = Contributor.objects.exclude(district=District.CITY)
    assert districts.count() == 13
    assert [c.name for c in districts] == [f"{d.label}人大常委会" for d in District if d != District.CITY]
    assert set(Contributor.objects.filter(district=District.CITY).values_list("name", flat=True)) >= {
        "研究室",
        "代表工委",
        "法工委",
        "预算工委",
    }
    assert list(Section.objects.values_list("name", flat=True)) == [
        "要闻速递",
        "助力攻坚",
        "监督纵横",
        "代表工作",
        "情况交流",
    ]


def test_one_published_issue_per_kind_year_and_number():
    make_issue()
    refused(total_number=700)
    make_issue(kind="special", total_number=None)  # the 专刊 sequence is its own
    make_issue(year=2025, total_number=701)


def test_total_numbers_are_unique():
    make_issue()
    refused(number=2)


def test_a_special_issue_has_no_total_number():
    refused(kind="special", total_number=5)


def test_a_published_issue_is_numbered():
    refused(number=None)
    refused(total_number=None)
    make_issue(number=None, total_number=None, status=Issue.Status.DRAFT)


def test_drafts_may_propose_numbers_already_taken():
    make_issue()
    make_issue(status=Issue.Status.DRAFT)
    make_issue(status=Issue.Status.DRAFT)


def test_piece_positions_are_unique_within_an_issue():
    issue = make_issue()
    unit = Contributor.objects.get(name="研究室")
    Article.objects.create(issue=issue, position=1, title="一", body="<p>a</p>", unit=unit)
    Brief.objects.create(issue=issue, position=1, body="<p>b</p>", unit=unit)  # briefs are a container of their own
    Article.objects.create(issue=issue, position=1, title="二", body="<p>b</p>", unit=unit)
    with pytest.raises(IntegrityError):
        connection.check_constraints()  # the constraint is deferred to commit


def test_number_labels_as_printed():
    regular = make_issue(number=4, total_number=692)
    special = make_issue(kind="special", number=9, total_number=None)
    assert regular.number_label == "第 4 期(总第 692 期)"
    assert special.number_label == "2024年第9期"
    assert regular.get_absolute_url() == "/issues/2024/regular/4/"


@pytest.mark.parametrize(
    ("name", "district", "short_name"),
    [
        ("上城区人大常委会办公室", District.SHANGCHENG, "上城区办公室"),
        ("滨江区人大常委会西兴街道工委", District.BINJIANG, "滨江区西兴街道工委"),
        ("建德市人大常委会", District.JIANDE, "建德市"),
        ("预算工委", District.CITY, "预算工委"),
        ("杭州市人大常委会监察和司法委员会", District.CITY, "监察和司法委员会"),
    ],
)
def test_units_are_placed_in_their_district(name, district, short_name):
    unit = Contributor.objects.get_or_create_by_name(name)
    assert (unit.district, unit.short_name) == (district, short_name)
    assert Contributor.objects.get_or_create_by_name(name) == unit


def test_a_report_becomes_at_most_one_piece_across_articles_and_briefs(submitter):
    from reports.models import Report

    issue = make_issue()
    report = Report.objects.create(unit=submitter.profile.unit, title="一篇信息", body="<p>正文</p>")
    Article.objects.create(issue=issue, position=1, title="一", body="<p>a</p>", unit=report.unit, report=report)
    with pytest.raises(IntegrityError), transaction.atomic():
        Brief.objects.create(issue=issue, position=1, body="<p>b</p>", unit=report.unit, report=report)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(issue=issue, position=2, title="二", body="<p>b</p>", unit=report.unit, report=report)
    brief = Brief.objects.create(issue=issue, position=1, body="<p>b</p>", unit=report.unit)
    brief.report = report
    with pytest.raises(IntegrityError), transaction.atomic():
        brief.save()


def test_a_piece_is_indexed_by_its_words_not_its_html_entities():
    issue = make_issue()
    unit = Contributor.objects.get(name="研究室")
    article = Article.objects.create(
        issue=issue, position=1, title="标题", body="<p>产学研&amp;合作&nbsp;成效</p>", unit=unit
    )
    assert article.search_document() == "标题 产学研&合作 成效"
    assert "amp" not in article.search_text and "nbsp" not in article.search_text
