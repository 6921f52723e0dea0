"""`make run`'s demo data: the demo accounts are people with names, so pages show 张明, not a login name."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from reports.models import Report, ReportEvent, display_name


@pytest.mark.django_db
def test_the_demo_accounts_have_names_shown_in_the_timeline():
    call_command("load_demo", stdout=io.StringIO())
    names = dict(User.objects.values_list("username", "first_name"))
    assert names["editor"] and names["shangcheng"] and names["xihu"]
    sent = ReportEvent.objects.filter(to_status=Report.Status.SUBMITTED, actor__username="shangcheng").first()
    assert sent.declaration and display_name(sent.actor) == names["shangcheng"] != "shangcheng"
    # Safe to run again: the accounts stay as they are.
    call_command("load_demo", stdout=io.StringIO())
    assert dict(User.objects.values_list("username", "first_name")) == names


@pytest.mark.django_db
def test_the_demo_shows_a_unit_review_chain_with_its_people():
    """王芳 of 西湖区 sends a report: it waits for 刘洋 (审核), then 赵敏 (签发), before it reaches the 研究室."""
    from reports import chain
    from reports.models import Contributor, UnitRole

    output = io.StringIO()
    call_command("load_demo", stdout=output)
    call_command("load_demo", stdout=io.StringIO())  # again: one role each, as before
    assert "审核人（西湖区人大常委会办公室）：xihu-shenhe / renda-reviewer" in output.getvalue()
    assert "签发人（西湖区人大常委会办公室）：xihu-qianfa / renda-approver" in output.getvalue()
    unit = Contributor.objects.get(name="西湖区人大常委会办公室")
    assert chain.steps(unit) == [Report.Status.IN_REVIEW, Report.Status.IN_SIGN_OFF, Report.Status.SUBMITTED]
    assert UnitRole.objects.filter(unit=unit).count() == 2
    wang, liu = User.objects.get(username="xihu"), User.objects.get(username="xihu-shenhe")
    report = Report.objects.create(unit=unit, title="西湖区：审核演示", body="<p>正文。</p>", created_by=wang)
    report.transition(Report.Status.IN_REVIEW, by=wang, secrecy_declared=True)
    assert chain.has_role(liu, unit, UnitRole.Role.REVIEWER)
    assert liu.check_password("renda-reviewer")
