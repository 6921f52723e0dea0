"""/submit/: the unit's reports, newest first, filtered by status and year, with where each was printed."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from reports.models import Report
from tests.portal import make_report


def test_newest_first_with_status(client, submitter):
    make_report(submitter, title="较早的信息", status="submitted")
    make_report(submitter, title="较新的信息")
    client.force_login(submitter)
    content = client.get(reverse("reports:list")).content.decode()
    assert content.index("较新的信息") < content.index("较早的信息")
    assert "已报送" in content and "草稿" in content


def test_filter_by_status_and_year(client, submitter):
    old = make_report(submitter, title="去年的信息", status="declined")
    Report.objects.filter(pk=old.pk).update(created_at=datetime(2025, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    make_report(submitter, title="今年的草稿")
    client.force_login(submitter)
    by_status = client.get(reverse("reports:list"), {"status": "declined"}).content.decode()
    assert "去年的信息" in by_status and "今年的草稿" not in by_status
    by_year = client.get(reverse("reports:list"), {"year": "2025"}).content.decode()
    assert "去年的信息" in by_year and "今年的草稿" not in by_year
    assert "2025年" in by_year  # offered as a choice


def published_reports(submitter, issue, count):
    """`count` reports used in the published issue: alternately as an article and as a brief."""
    articles = list(issue.piece_set.articles().select_related("section"))
    briefs = list(issue.piece_set.briefs().all())
    used = []
    for i in range(count):
        report = make_report(submitter, title=f"刊用信息{i}", status="published")
        piece = articles[i // 2] if i % 2 == 0 else briefs[i // 2]
        piece.report = report
        piece.save()
        used.append((report, piece))
    return used


def test_list_and_detail_show_issue_and_section_of_a_used_report(client, submitter, published_issue):
    (report, article), (_, brief) = published_reports(submitter, published_issue, 2)
    client.force_login(submitter)
    content = client.get(reverse("reports:list")).content.decode()
    assert published_issue.get_absolute_url() in content
    assert f"{published_issue.name}</a> · {article.section.name}" in content
    assert f"{published_issue.name}</a> · 信息摘登" in content
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "刊于" in detail and article.section.name in detail
    assert brief.is_brief


def test_list_queries_do_not_grow_with_reports(client, submitter, published_issue, django_assert_max_num_queries):
    published_reports(submitter, published_issue, 2)
    client.force_login(submitter)
    # Session, user, profile, unit, filter dates, count, page, the unit's roles and what waits on them, and the
    # menu's counts (notifications, reminders, circulars, 批示).
    with django_assert_max_num_queries(13) as few:
        client.get(reverse("reports:list"))
    published_reports(submitter, published_issue, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:list"))
