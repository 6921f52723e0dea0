"""A unit's reviewer or 签发人 acts on the step their page showed: if the report moved on meanwhile, nothing happens."""

import re

import pytest
from django.urls import reverse

from reports.models import Report, UnitRole
from tests.portal import make_report, seen
from tests.test_review_chain import configure, person

S = Report.Status


def seen_content(page: str) -> str:
    return re.search(r'name="seen_content" value="(\w+)"', page).group(1)


@pytest.fixture
def in_review(submitter):
    configure(submitter.profile.unit, review=True, sign_off=True)
    report = make_report(submitter, title="上城区：待审核", status="draft")
    report.transition(S.IN_REVIEW, by=submitter, as_editor=False)
    return report


@pytest.mark.django_db
def test_a_return_on_a_stale_page_does_not_return_a_report_at_the_next_step(client, in_review):
    both = person("wangwu", "王五", UnitRole.Role.REVIEWER, UnitRole.Role.UNIT_APPROVER)
    other = person("zhangsan", "张三", UnitRole.Role.REVIEWER)
    client.force_login(both)
    page = client.get(reverse("reports:detail", args=[in_review.pk])).text
    assert 'name="seen_status" value="in_review"' in page  # 王五 sees it waiting for review …
    in_review.transition(S.IN_SIGN_OFF, by=other, as_editor=False)  # … 张三 passes it to 签发 meanwhile …
    data = {
        "decision": "return",
        "comment": "数据请核实",
        "seen_status": "in_review",
        "seen_content": seen_content(page),
    }
    response = client.post(reverse("reports:review", args=[in_review.pk]), data, follow=True)  # … 王五 returns it
    in_review.refresh_from_db()
    assert in_review.status == S.IN_SIGN_OFF
    assert "状态已由“待审核”变为“待签发”" in response.text


@pytest.mark.django_db
def test_a_submit_on_a_stale_page_is_refused(client, submitter, in_review):
    """The drafter's page still showed the draft; it has gone to review from another window since."""
    client.force_login(submitter)
    data = {"seen_status": "draft", "secrecy_declared": "on"}
    response = client.post(reverse("reports:submit", args=[in_review.pk]), data, follow=True)
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW and "本次操作未执行" in response.text


@pytest.mark.django_db
def test_a_decision_sent_without_the_state_its_page_showed_is_refused(client, submitter, in_review):
    """Every page that moves a report sends what it showed; a request without it is refused, not taken as fresh."""
    reviewer = person("zhangsan", "张三", UnitRole.Role.REVIEWER)
    client.force_login(reviewer)
    url = reverse("reports:review", args=[in_review.pk])
    for missing in ("seen_status", "seen_content"):
        data = {"decision": "approve", **seen(in_review)}
        del data[missing]
        response = client.post(url, data, follow=True)
        assert Report.objects.get(pk=in_review.pk).status == S.IN_REVIEW and "页面已过期" in response.text

    draft = make_report(submitter, title="上城区：草稿")
    client.force_login(submitter)
    response = client.post(reverse("reports:submit", args=[draft.pk]), {"secrecy_declared": "on"}, follow=True)
    assert Report.objects.get(pk=draft.pk).status == S.DRAFT and "页面已过期" in response.text
    data = {"title": "上城区：没有页面状态的修改", "body": "<p>正文</p>", "action": "draft"}
    response = client.post(reverse("reports:edit", args=[draft.pk]), data)
    assert response.status_code == 200 and "页面已过期" in response.text and "没有页面状态的修改" in response.text
    assert Report.objects.get(pk=draft.pk).title == "上城区：草稿"
    # A new report has no status to have moved: its form needs none.
    client.post(reverse("reports:new"), {**data, "title": "上城区：新的信息"})
    assert Report.objects.filter(title="上城区：新的信息").exists()


@pytest.mark.django_db
def test_the_edit_form_and_review_panel_send_what_they_showed(client, submitter, in_review):
    reviewer = person("zhangsan", "张三", UnitRole.Role.REVIEWER)
    client.force_login(reviewer)
    page = client.get(reverse("reports:detail", args=[in_review.pk])).text
    assert seen_content(page) == in_review.content_signature()
    draft = make_report(submitter)
    client.force_login(submitter)
    assert 'name="seen_status" value="draft"' in client.get(reverse("reports:edit", args=[draft.pk])).text
    assert 'name="seen_status" value="draft"' in client.get(reverse("reports:detail", args=[draft.pk])).text
