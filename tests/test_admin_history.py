"""The admin's history pages (django-simple-history) follow the desk's access rules and never answer 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from issues.models import Article, Brief, Issue
from reports.models import Report, UnitRole
from tests.portal import make_report
from tests.test_review_chain import configure, person

SECRET = "尚未报送的草稿内容"


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def history_urls(obj):
    app, name = obj._meta.app_label, obj._meta.model_name
    record = obj.history.order_by("history_date").first()
    return (
        reverse(f"admin:{app}_{name}_history", args=[obj.pk]),
        reverse(f"admin:{app}_{name}_simple_history", args=[obj.pk, record.history_id]),
    )


def test_a_units_draft_has_no_history_page_for_the_desk(desk, submitter):
    draft = make_report(submitter, body=f"<p>{SECRET}</p>")
    draft.title = "草稿改过的标题"
    draft.save()
    assert draft.history.count() == 2
    for url in history_urls(draft):
        response = desk.get(url)
        assert response.status_code == 404 and SECRET not in response.text


def test_the_units_revisions_of_a_returned_report_stay_private_until_sent_again(desk, submitter):
    report = make_report(submitter, status="returned")
    report.body = f"<p>{SECRET}</p>"
    report.save()  # the unit's unsent revision
    revision = report.history.latest("history_date")
    listing = desk.get(reverse("admin:reports_report_history", args=[report.pk]))
    assert listing.status_code == 200 and SECRET not in listing.text
    detail = reverse("admin:reports_report_simple_history", args=[report.pk, revision.history_id])
    assert desk.get(detail).status_code == 404
    # Once sent again, the text is the desk's to read, in history too.
    report.transition(Report.Status.SUBMITTED, by=submitter, as_editor=False, secrecy_declared=True)
    sent = report.history.latest("history_date")
    page = desk.get(reverse("admin:reports_report_simple_history", args=[report.pk, sent.history_id]))
    assert page.status_code == 200 and SECRET in page.text


def test_a_submitted_reports_history_is_readable(desk, submitter):
    report = make_report(submitter, status="submitted")
    listing, _ = history_urls(report)
    assert desk.get(listing).status_code == 200
    sent = report.history.latest("history_date")
    assert (
        desk.get(reverse("admin:reports_report_simple_history", args=[report.pk, sent.history_id])).status_code == 200
    )


def test_a_deleted_draft_leaves_no_readable_history(desk, submitter):
    draft = make_report(submitter, body=f"<p>{SECRET}</p>")
    urls = history_urls(draft)
    draft.delete()
    for url in urls:
        assert desk.get(url).status_code == 404


def test_history_of_another_reports_row_is_not_shown_under_this_one(desk, submitter):
    visible = make_report(submitter, status="submitted")
    draft = make_report(submitter, body=f"<p>{SECRET}</p>")
    row = draft.history.first()
    url = reverse("admin:reports_report_simple_history", args=[visible.pk, row.history_id])
    assert desk.get(url).status_code == 404


def test_issue_and_piece_history_stays_readable(desk, published_issue):
    article = Article.objects.filter(issue=published_issue).first()
    brief = Brief.objects.filter(issue=published_issue).first()
    for obj in (published_issue, article, brief):
        obj.save()  # imported in bulk: this is its first history row
        for url in history_urls(obj):
            assert desk.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [Report, Issue, Article, Brief])
@pytest.mark.parametrize("bad", ["abc", "1.5", "%20", "99999999999999999999"])
def test_history_urls_with_ids_that_are_not_numbers_are_404(desk, model, bad, published_issue, submitter):
    app, name = model._meta.app_label, model._meta.model_name
    make_report(submitter, status="submitted")
    obj = model.objects.first()
    obj.save()
    record = obj.history.first()
    base = f"/admin/{app}/{name}"
    for url in (
        f"{base}/{bad}/history/",
        f"{base}/{bad}/history/{record.history_id}/",
        f"{base}/{obj.pk}/history/{bad}/",
    ):
        assert desk.get(url).status_code == 404, url


def test_no_admin_history_url_answers_500(desk, published_issue):
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/abc/history/"
        assert desk.get(url).status_code in {302, 404}, url


def test_the_units_revisions_inside_its_review_chain_stay_private(desk, submitter):
    """A returned report goes round the unit's chain again: its review, sign-off and in-unit returns are the
    unit's work in progress, never the desk's to read, also once the report is sent again."""
    report = make_report(submitter, status="returned")
    configure(submitter.profile.unit, review=True, sign_off=True)
    reviewer = person("zhangsan", "张三", UnitRole.Role.REVIEWER)
    signer = person("lisi", "李四", UnitRole.Role.UNIT_APPROVER)
    report.transition(Report.Status.IN_REVIEW, by=submitter, as_editor=False)
    report.transition(Report.Status.UNIT_RETURNED, by=reviewer, as_editor=False, comment="请改")
    report.body = f"<p>{SECRET}</p>"
    report.save()  # the drafter's revision after the in-unit return, never sent as such
    report.transition(Report.Status.IN_REVIEW, by=submitter, as_editor=False)
    report.transition(Report.Status.IN_SIGN_OFF, by=reviewer, as_editor=False)
    private = list(report.history.filter(status__in=Report.UNIT_SIDE))
    report.body = "<p>签发前改定的正文</p>"
    report.save()
    report.transition(Report.Status.SUBMITTED, by=signer, as_editor=False, secrecy_declared=True)

    listing = desk.get(reverse("admin:reports_report_history", args=[report.pk]))
    assert listing.status_code == 200 and SECRET not in listing.text
    assert {row.status for row in private} >= {"in_review", "unit_returned", "in_sign_off"}
    for row in private:
        url = reverse("admin:reports_report_simple_history", args=[report.pk, row.history_id])
        assert desk.get(url).status_code == 404, row.status
    sent = report.history.latest("history_date")
    page = desk.get(reverse("admin:reports_report_simple_history", args=[report.pk, sent.history_id]))
    assert page.status_code == 200 and "签发前改定的正文" in page.text
