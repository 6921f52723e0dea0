"""A unit's reviewer or 签发人 acts on the step their page showed: if the report moved on meanwhile, nothing happens."""

import pytest
from django.urls import reverse

from reports.models import Report, UnitRole
from tests.portal import make_report
from tests.test_review_chain import configure, person

S = Report.Status


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
    data = {"decision": "return", "comment": "数据请核实", "seen_status": "in_review"}
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
