"""A unit's own review chain (审核签发) and the 保密 declaration, on every path a report can take to the 研究室."""

import io

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from reports import chain
from reports.models import (
    SECRECY_DECLARATION,
    Notification,
    Profile,
    Report,
    TransitionError,
    UnitRole,
    WordingRule,
)
from tests.conftest import make_user
from tests.portal import make_report, seen

S = Report.Status
UNIT = "上城区人大常委会办公室"


def person(username, name, *roles, email=""):
    """A member of the unit holding `roles` in its chain (a submitter's profile, like everyone in a unit)."""
    user = make_user(username, Profile.Role.SUBMITTER, UNIT)
    user.first_name, user.email = name, email
    user.save()
    for role in roles:
        UnitRole.objects.create(user=user, unit=user.profile.unit, role=role)
    return user


@pytest.fixture
def unit(submitter):
    return submitter.profile.unit


@pytest.fixture
def reviewer(submitter):
    return person("zhangsan", "张三", UnitRole.Role.REVIEWER, email="zhangsan@shangcheng.example")


@pytest.fixture
def signer(submitter):
    return person("lisi", "李四", UnitRole.Role.UNIT_APPROVER, email="lisi@shangcheng.example")


def configure(unit, *, review, sign_off):
    unit.review_required, unit.sign_off_required = review, sign_off
    unit.save()


def draft(submitter):
    return make_report(submitter)


# --- the chain per configured unit: allowed and refused moves ---------------------------------------------------


@pytest.mark.parametrize(
    ("review", "sign_off", "path"),
    [
        (False, False, [S.SUBMITTED]),
        (True, False, [S.IN_REVIEW, S.SUBMITTED]),
        (False, True, [S.IN_SIGN_OFF, S.SUBMITTED]),
        (True, True, [S.IN_REVIEW, S.IN_SIGN_OFF, S.SUBMITTED]),
    ],
)
def test_each_configuration_has_its_path_and_no_step_can_be_skipped(
    review, sign_off, path, unit, submitter, reviewer, signer
):
    configure(unit, review=review, sign_off=sign_off)
    report = draft(submitter)
    actor = {S.DRAFT: submitter, S.IN_REVIEW: reviewer, S.IN_SIGN_OFF: signer}
    for step in path:
        for skipped in {S.IN_REVIEW, S.IN_SIGN_OFF, S.SUBMITTED} - {step}:
            with pytest.raises(TransitionError):
                report.transition(skipped, by=actor[Report.Status(report.status)], secrecy_declared=True)
        report.transition(step, by=actor[Report.Status(report.status)], secrecy_declared=True)
        assert Report.objects.get(pk=report.pk).status == step


def test_only_the_steps_role_holder_acts(unit, submitter, reviewer, signer):
    configure(unit, review=True, sign_off=True)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    for wrong in (submitter, signer):
        with pytest.raises(TransitionError, match="审核人"):
            report.transition(S.IN_SIGN_OFF, by=wrong)
    report.transition(S.IN_SIGN_OFF, by=reviewer)
    for wrong in (submitter, reviewer):
        with pytest.raises(TransitionError, match="签发人"):
            report.transition(S.SUBMITTED, by=wrong, secrecy_declared=True)
    # a role in another unit does not count
    other = make_user("xh-signer", Profile.Role.SUBMITTER, "西湖区人大常委会办公室")
    UnitRole.objects.create(user=other, unit=other.profile.unit, role=UnitRole.Role.UNIT_APPROVER)
    with pytest.raises(TransitionError):
        report.transition(S.SUBMITTED, by=other, secrecy_declared=True)
    report.transition(S.SUBMITTED, by=signer, secrecy_declared=True)
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


def test_one_person_may_hold_both_roles(unit, submitter):
    configure(unit, review=True, sign_off=True)
    both = person("wangwu", "王五", UnitRole.Role.REVIEWER, UnitRole.Role.UNIT_APPROVER)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    report.transition(S.IN_SIGN_OFF, by=both)
    report.transition(S.SUBMITTED, by=both, secrecy_declared=True)
    assert [step.by for step in chain.record(report.events.all())] == ["王五", "王五", "王五"]


def test_return_inside_the_unit_needs_a_comment_and_goes_round_again(unit, submitter, reviewer, signer):
    configure(unit, review=True, sign_off=True)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    with pytest.raises(TransitionError, match="理由"):
        report.transition(S.UNIT_RETURNED, by=reviewer, comment=" ")
    report.transition(S.UNIT_RETURNED, by=reviewer, comment="数据请核实")
    assert Report.objects.get(pk=report.pk).is_editable
    with pytest.raises(TransitionError):  # back through review, not straight to sign-off or the 研究室
        report.transition(S.IN_SIGN_OFF, by=submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    report.transition(S.IN_SIGN_OFF, by=reviewer)
    report.transition(S.UNIT_RETURNED, by=signer, comment="标题太长")
    report.transition(S.IN_REVIEW, by=submitter)
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW


def test_editor_cannot_move_a_report_still_inside_the_unit(unit, submitter, editor):
    configure(unit, review=True, sign_off=False)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    for to in (S.SUBMITTED, S.ACCEPTED, S.RETURNED):
        with pytest.raises(TransitionError):
            report.transition(to, by=editor, comment="x", secrecy_declared=True)


def test_returned_by_the_editor_goes_through_the_chain_again(unit, submitter, reviewer, editor):
    configure(unit, review=True, sign_off=False)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    report.transition(S.SUBMITTED, by=reviewer, secrecy_declared=True)
    report.transition(S.RETURNED, by=editor, comment="请补充数据")
    with pytest.raises(TransitionError, match="待审核"):
        report.transition(S.SUBMITTED, by=submitter, secrecy_declared=True)
    report.transition(S.IN_REVIEW, by=submitter)
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW


# --- the portal path ---------------------------------------------------------------------------------------------


def test_portal_walks_the_chain_with_notifications(
    client, unit, submitter, reviewer, signer, editor, django_capture_on_commit_callbacks
):
    configure(unit, review=True, sign_off=True)
    client.force_login(submitter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:new"),
            {"title": "上城区：代表联络站建设", "body": "<p>上城区人大常委会……</p>", "action": "submit"},
            follow=True,
        )
    report = Report.objects.get()
    assert report.status == S.IN_REVIEW and "已送本单位审核" in response.text
    # the reviewer is told, in the portal and by mail, and finds it at the top of their list
    note = Notification.objects.get(recipient=reviewer)
    assert "待您审核" in note.message
    assert mail.outbox[-1].to == ["zhangsan@shangcheng.example"] and "待您审核" in mail.outbox[-1].body
    assert not Notification.objects.filter(recipient=signer).exists()
    client.force_login(reviewer)
    listing = client.get(reverse("reports:list")).text
    assert 'id="waiting"' in listing and "待我处理（1）" in listing
    page = client.get(reverse("reports:detail", args=[report.pk])).text
    assert 'id="review-panel"' in page and "审核通过，送签发" in page
    assert "待您审核" in client.get(reverse("reports:notifications")).text
    # the signer is not waited on yet; the drafter has no review panel
    client.force_login(signer)
    assert 'id="waiting"' not in client.get(reverse("reports:list")).text
    assert 'id="review-panel"' not in client.get(reverse("reports:detail", args=[report.pk])).text
    assert "待您审核" not in client.get(reverse("reports:notifications")).text

    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:review", args=[report.pk]), {"decision": "approve", **seen(report)})
    report.refresh_from_db()
    assert report.status == S.IN_SIGN_OFF
    assert "待您签发" in Notification.objects.get(recipient=signer).message
    assert mail.outbox[-1].to == ["lisi@shangcheng.example"]

    client.force_login(signer)
    page = client.get(reverse("reports:detail", args=[report.pk])).text
    assert SECRECY_DECLARATION in page and "签发并报送研究室" in page
    data = {"decision": "approve", **seen(report)}
    response = client.post(reverse("reports:review", args=[report.pk]), data, follow=True)
    report.refresh_from_db()
    assert report.status == S.IN_SIGN_OFF and "保密声明" in response.text  # refused without the declaration
    client.post(reverse("reports:review", args=[report.pk]), {**data, "secrecy_declared": "on"})
    report.refresh_from_db()
    assert report.status == S.SUBMITTED

    # the 研究室 sees who reviewed and signed, and the declaration with its maker
    client.force_login(editor)
    admin_page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    event_day = report.events.last().at
    from django.utils import timezone

    day = f"{timezone.localtime(event_day).month}月{timezone.localtime(event_day).day}日"
    assert f"审核：张三 {day} / 签发：李四 {day}" in admin_page
    assert SECRECY_DECLARATION in admin_page and "李四" in admin_page
    portal_page = client.get(reverse("reports:detail", args=[report.pk])).text
    assert 'id="chain-record"' in portal_page and "张三" in portal_page and SECRECY_DECLARATION in portal_page


def test_return_from_the_portal_tells_the_drafter(
    client, unit, submitter, reviewer, django_capture_on_commit_callbacks
):
    configure(unit, review=True, sign_off=False)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    client.force_login(reviewer)
    data = {"decision": "return", **seen(report)}
    response = client.post(reverse("reports:review", args=[report.pk]), data, follow=True)
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW and "理由" in response.text
    client.post(reverse("reports:review", args=[report.pk]), {**data, "comment": "请核实数据"})
    assert Report.objects.get(pk=report.pk).status == S.UNIT_RETURNED
    note = Notification.objects.get(recipient=submitter)
    assert "请核实数据" in note.message and "张三" in note.message
    client.force_login(submitter)
    assert "待我处理（1）" in client.get(reverse("reports:list")).text
    edit = client.get(reverse("reports:edit", args=[report.pk])).text
    assert "请核实数据" in edit and "送审核" in edit


def test_portal_cannot_skip_a_step(client, unit, submitter, reviewer):
    configure(unit, review=True, sign_off=True)
    report = draft(submitter)
    client.force_login(submitter)
    client.post(reverse("reports:submit", args=[report.pk]), {"secrecy_declared": "on", **seen(report)})
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW  # the button means 送审核 here
    # the drafter cannot approve their own report through the review URL
    data = {"decision": "approve", "secrecy_declared": "on", **seen(report)}
    response = client.post(reverse("reports:review", args=[report.pk]), data, follow=True)
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW and "审核人" in response.text


@pytest.mark.parametrize("body", ["", "<p>本次会议贯彻一府两院工作报告</p>"])
def test_the_review_url_does_not_submit_a_report_that_waits_at_no_step(client, submitter, body):
    """A unit without a chain: its draft is submitted only with the drafter's checks (a body, the wording hits
    confirmed), never by a decision posted to the review URL."""
    WordingRule.objects.create(phrase="一府两院", correction="一府一委两院")
    report = make_report(submitter, body=body)
    client.force_login(submitter)
    data = {"decision": "approve", "secrecy_declared": "on", **seen(report)}
    response = client.post(reverse("reports:review", args=[report.pk]), data, follow=True)
    report.refresh_from_db()
    assert report.status == S.DRAFT and not report.events.exists()
    assert "不在待审核或待签发环节" in response.text


@pytest.mark.parametrize("configured", [(False, False), (True, False), (False, True)])
def test_no_path_moves_an_empty_body_out_of_the_drafters_hands(unit, submitter, configured):
    review, sign_off = configured
    configure(unit, review=review, sign_off=sign_off)
    report = make_report(submitter, body="<p>&nbsp;</p>")
    step = chain.next_step(unit, report.status)
    with pytest.raises(TransitionError, match="前请填写正文"):
        report.transition(step, by=submitter, secrecy_declared=True)
    assert Report.objects.get(pk=report.pk).status == S.DRAFT and not report.events.exists()


def test_an_empty_body_is_refused_on_a_return_too(unit, submitter, reviewer):
    configure(unit, review=True, sign_off=False)
    report = make_report(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    report.transition(S.UNIT_RETURNED, by=reviewer, comment="请重写")
    Report.objects.filter(pk=report.pk).update(body="")
    report.refresh_from_db()
    with pytest.raises(TransitionError, match="送审核前请填写正文"):
        report.transition(S.IN_REVIEW, by=submitter)


def test_reports_inside_the_unit_are_hidden_from_the_desk(client, unit, submitter, editor):
    configure(unit, review=True, sign_off=False)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    client.force_login(editor)
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code in (302, 404)
    assert report.title not in client.get(reverse("admin:reports_report_changelist") + "?status=all").text
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_unit_without_chain_submits_as_before_and_shows_no_chain(client, submitter, editor):
    report = make_report(submitter, status="submitted")
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert "本单位未设审核签发流程" in page and SECRECY_DECLARATION in page


def test_a_person_is_named_the_same_way_in_records_messages_and_pages(
    client, unit, submitter, django_capture_on_commit_callbacks
):
    """姓 张, 名 三 is 张三 everywhere (never “三 张”); a person without a name is named by role (报送员), never by
    the login."""
    configure(unit, review=True, sign_off=False)
    reviewer = person("zhangsan", "三", UnitRole.Role.REVIEWER, email="zhangsan@shangcheng.example")
    reviewer.last_name = "张"
    reviewer.save()
    report = draft(submitter)
    with django_capture_on_commit_callbacks(execute=True):
        report.transition(S.IN_REVIEW, by=submitter)
    assert "（报送员）" in Notification.objects.get(recipient=reviewer).message
    assert mail.outbox[-1].body.startswith("张三：")
    assert str(UnitRole.objects.get(user=reviewer)) == f"张三 · {unit} · 审核人"
    report.transition(S.UNIT_RETURNED, by=reviewer, comment="请核实数据")
    client.force_login(submitter)
    assert "本单位张三退回修改：请核实数据" in client.get(reverse("reports:edit", args=[report.pk])).text
    report.transition(S.IN_REVIEW, by=submitter)
    report.transition(S.SUBMITTED, by=reviewer, secrecy_declared=True)
    assert [step.by for step in chain.record(report.events.all())] == ["张三", "张三"]


# --- the 保密 declaration on every path ------------------------------------------------------------------------


def test_model_refuses_submission_without_declaration(submitter):
    report = draft(submitter)
    with pytest.raises(TransitionError, match="保密声明"):
        report.transition(S.SUBMITTED, by=submitter)
    assert Report.objects.get(pk=report.pk).status == S.DRAFT and not report.events.exists()
    event = report.transition(S.SUBMITTED, by=submitter, secrecy_declared=True)
    assert event.declaration == SECRECY_DECLARATION and event.actor == submitter and event.at


def test_form_refuses_submission_without_declaration_and_keeps_the_text(logged_in):
    response = logged_in.post(
        reverse("reports:new"), {"title": "上城区：标题", "body": "<p>正文内容</p>", "action": "submit"}
    )
    assert response.status_code == 200 and "请勾选保密声明" in response.text and "正文内容" in response.text
    assert not Report.objects.exists()


def test_detail_submit_refuses_without_declaration(logged_in, submitter):
    report = draft(submitter)
    response = logged_in.post(reverse("reports:submit", args=[report.pk]), seen(report), follow=True)
    assert Report.objects.get(pk=report.pk).status == S.DRAFT and "保密声明" in response.text
    assert SECRECY_DECLARATION in logged_in.get(reverse("reports:detail", args=[report.pk])).text


def test_declaration_is_asked_only_at_the_last_step(logged_in, unit, submitter):
    configure(unit, review=True, sign_off=False)
    report = draft(submitter)
    page = logged_in.get(reverse("reports:edit", args=[report.pk])).text
    assert "id_secrecy_declared" not in page and "送审核" in page
    logged_in.post(
        reverse("reports:edit", args=[report.pk]),
        {"title": "上城区：标题", "body": "<p>正文</p>", "action": "submit", "seen_status": "draft"},
    )
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW


# --- add_user ----------------------------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_add_user_gives_unit_roles_one_or_several(unit):
    run("zs", "--unit", UNIT, "--role", "reviewer", "--role", "unit_approver", "--password", "Qiantang-2026!")
    user = User.objects.get(username="zs")
    assert user.profile.role == Profile.Role.SUBMITTER and user.profile.unit.name == UNIT and not user.is_staff
    assert set(user.unit_roles.values_list("role", flat=True)) == {"reviewer", "unit_approver"}
    run("clerk", "--unit", UNIT, "--password", "Qiantang-2026!")
    run("clerk", "--unit", UNIT, "--role", "reviewer")  # added to the existing account
    assert list(User.objects.get(username="clerk").unit_roles.values_list("role", flat=True)) == ["reviewer"]
    run("ed", "--role", "editor", "--password", "Qiantang-2026!")  # the existing roles still work
    assert User.objects.get(username="ed").profile.is_editor


def test_add_user_refuses_unit_roles_without_unit_or_elsewhere(unit, other_submitter):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--unit"):
        run("nobody", "--role", "reviewer")
    with pytest.raises(CommandError, match="没有角色"):
        run("nobody", "--unit", UNIT, "--role", "boss")
    run("xh", "--unit", other_submitter.profile.unit.name, "--password", "Qiantang-2026!")
    with pytest.raises(CommandError, match=r"不是“.*”的成员"):
        run("xh", "--unit", UNIT, "--role", "reviewer")
    assert not UnitRole.objects.exists()


def test_admin_paths_cannot_move_a_report_inside_the_unit(client, unit, submitter, reviewer, editor):
    configure(unit, review=True, sign_off=False)
    report = draft(submitter)
    report.transition(S.IN_REVIEW, by=submitter)
    client.force_login(editor)
    client.post(reverse("admin:reports_report_decide", args=[report.pk]), {"decision": "accept"})
    client.post(
        reverse("admin:reports_report_changelist") + "?status=all",
        {"action": "accept_selected", "_selected_action": [report.pk]},
    )
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW
    # and a superuser acting on the unit's side through the model is refused like anyone without the role
    with pytest.raises(TransitionError, match="审核人"):
        report.transition(S.SUBMITTED, by=editor, as_editor=False, secrecy_declared=True)


def test_admin_pages_for_roles_and_chain_settings(client, unit, reviewer, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:reports_contributor_change", args=[unit.pk])).text
    assert "须经审核" in page and "须经签发" in page and "审核人" in page
    assert client.get(reverse("admin:auth_user_change", args=[reviewer.pk])).status_code == 200
    response = client.get(reverse("admin:reports_contributor_changelist"))
    assert response.status_code == 200 and "须经审核" in response.text


# --- a role belongs to a member of the unit ------------------------------------------------------------------------


def test_a_unit_role_is_only_for_a_member_of_the_unit(unit, submitter, other_submitter):
    from django.core.exceptions import ValidationError

    UnitRole(user=submitter, unit=unit, role=UnitRole.Role.REVIEWER).clean()
    with pytest.raises(ValidationError, match="不是“上城区人大常委会办公室”的成员"):
        UnitRole(user=other_submitter, unit=unit, role=UnitRole.Role.REVIEWER).clean()


def test_moving_a_person_to_another_unit_ends_their_roles_in_the_old_one(unit, reviewer, signer, other_submitter):
    """The reviewer who moves to 西湖区 no longer reviews 上城区's reports; the roles of those who stay are kept."""
    configure(unit, review=True, sign_off=False)
    profile = reviewer.profile
    profile.unit = other_submitter.profile.unit
    profile.save()
    assert not UnitRole.objects.filter(user=reviewer).exists()
    assert not chain.has_role(reviewer, unit, UnitRole.Role.REVIEWER)
    assert UnitRole.objects.filter(user=signer, unit=unit).exists()
    UnitRole.objects.create(user=reviewer, unit=profile.unit, role=UnitRole.Role.REVIEWER)
    profile.save()  # saved again in the new unit: the new role stays
    assert UnitRole.objects.filter(user=reviewer, unit=profile.unit).exists()


def test_the_user_page_moving_a_person_ends_their_old_roles_even_a_row_edited_alongside(
    client, unit, reviewer, other_submitter, editor
):
    role = UnitRole.objects.get(user=reviewer)
    client.force_login(editor)
    url = reverse("admin:auth_user_change", args=[reviewer.pk])
    moved = other_submitter.profile.unit_id
    profile = {"id": reviewer.profile.pk, "user": reviewer.pk, "role": "submitter", "unit": moved}
    page = {
        "username": reviewer.username,
        "last_name": "",
        "first_name": "张三",
        "is_active": "on",
        "date_joined_0": "2024-01-02",
        "date_joined_1": "08:00:00",
        **_inline("profile", [profile], initial=1),
        **_inline("unit_roles", [{"id": role.pk, "unit": unit.pk, "role": "unit_approver", "user": reviewer.pk}], 1),
    }
    response = client.post(url, page, follow=True)
    assert response.status_code == 200 and "已取消其在原单位的角色" in response.text
    reviewer.profile.refresh_from_db()
    assert reviewer.profile.unit == other_submitter.profile.unit
    assert not UnitRole.objects.filter(user=reviewer).exists()


def _inline(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial}
    data |= {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{key}": value for key, value in row.items()}
    return data


def test_the_admin_refuses_a_role_for_someone_outside_the_unit(client, unit, submitter, other_submitter, editor):
    client.force_login(editor)
    unit_page = {
        "name": unit.name,
        "short_name": unit.short_name,
        "district": unit.district,
        "position": unit.position,
        "is_active": "on",
        "email": "",
        "review_required": "on",
    }
    url = reverse("admin:reports_contributor_change", args=[unit.pk])
    outsider = _inline("roles", [{"user": other_submitter.pk, "role": "reviewer", "unit": unit.pk}])
    response = client.post(url, {**unit_page, **outsider})
    assert response.status_code == 200 and "不是“上城区人大常委会办公室”的成员" in response.text
    assert not UnitRole.objects.exists()
    member = _inline("roles", [{"user": submitter.pk, "role": "reviewer", "unit": unit.pk}])
    assert client.post(url, {**unit_page, **member}).status_code == 302
    assert UnitRole.objects.get().user == submitter

    # On the person's page: a role in a unit they do not belong to is refused there too.
    user_page = {
        "username": other_submitter.username,
        "is_active": "on",
        "date_joined_0": "2024-01-02",
        "date_joined_1": "08:00:00",
        **_inline(
            "profile",
            [
                {
                    "id": other_submitter.profile.pk,
                    "user": other_submitter.pk,
                    "role": "submitter",
                    "unit": other_submitter.profile.unit_id,
                }
            ],
            initial=1,
        ),
        **_inline("unit_roles", [{"unit": unit.pk, "role": "unit_approver", "user": other_submitter.pk}]),
    }
    response = client.post(reverse("admin:auth_user_change", args=[other_submitter.pk]), user_page)
    assert response.status_code == 200 and "不是“上城区人大常委会办公室”的成员" in response.text
    assert not UnitRole.objects.filter(user=other_submitter).exists()
    own = other_submitter.profile.unit_id
    user_page |= _inline("unit_roles", [{"unit": own, "role": "unit_approver", "user": other_submitter.pk}])
    assert client.post(reverse("admin:auth_user_change", args=[other_submitter.pk]), user_page).status_code == 302
    assert UnitRole.objects.get(user=other_submitter).unit_id == own
    assert 'name="unit_roles-TOTAL_FORMS"' not in client.get(reverse("admin:auth_user_add")).text
