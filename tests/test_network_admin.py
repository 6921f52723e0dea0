"""The desk's side of the network: writing and sending a call, the inbox's call column and filter, a unit's
reminder log, hand-sent reminders, quotas, and the desk summary's open calls and shortfalls."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Call, Quota, Reminder
from tests.network import answer, make_call
from tests.portal import docx_bytes, png_bytes, upload

INBOX = "/admin/reports/report/"


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def add_call(desk, **extra):
    data = {
        "topic": "“人大代表在身边”履职故事征集",
        "guidance": "报送具体做法",
        "deadline": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "audience": "selected",
        "districts": ["shangcheng", "xihu"],
        "quota_count": "1",
        "quota_scope": "district",
        "remind_days_before": "2",
    } | extra
    return desk.post(reverse("admin:network_call_add"), data)


def test_the_editor_writes_a_call_with_districts_and_a_word_document(desk, editor):
    document = upload("报送要点.docx", docx_bytes("报送要点", ["一、报送内容"]))
    response = add_call(desk, document_upload=document)
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get()
    assert call.status == Call.Status.DRAFT and call.created_by == editor
    assert sorted(call.district_codes()) == ["shangcheng", "xihu"]
    assert call.document_name == "报送要点.docx" and call.document.name.endswith(".docx")
    assert "报送要点.docx" not in call.document.name  # stored under a random name
    assert call.closes_at == timezone.make_aware(
        datetime.datetime.combine(call.deadline + datetime.timedelta(days=1), datetime.time())
    )
    desk.post(
        reverse("admin:network_call_changelist"),
        {"action": "issue_selected", "_selected_action": [call.pk]},
    )
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN and call.issued_at is not None


def test_a_document_that_is_not_pdf_or_word_is_refused_and_nothing_is_lost(desk):
    response = add_call(desk, document_upload=upload("要点.pdf", png_bytes()))
    page = response.content.decode()
    assert response.status_code == 200 and "文件类型不支持" in page
    assert "“人大代表在身边”履职故事征集" in page  # what was typed is still there
    assert not Call.objects.exists()


def test_a_selected_audience_needs_a_district_or_a_unit(desk):
    response = add_call(desk, districts=[])
    assert "请至少选择一个区县或单位" in response.content.decode()
    assert not Call.objects.exists()


def test_the_inbox_shows_and_filters_by_the_call_a_report_answers(desk, submitter, other_submitter):
    call = make_call(topic="基层立法联系点建设经验")
    answered = answer(call, submitter, title="上城区：联系点的信息")
    answer(make_call(topic="另一个约稿"), other_submitter, title="西湖区：另一个约稿的信息")
    from tests.portal import make_report

    make_report(submitter, title="上城区：没有响应约稿", status="submitted")
    page = desk.get(INBOX).content.decode()
    assert "响应约稿" in page and "基层立法联系点建设经验" in page
    filtered = desk.get(INBOX + f"?call={call.pk}").content.decode()
    assert answered.title in filtered and "西湖区：另一个约稿的信息" not in filtered
    assert "上城区：没有响应约稿" not in filtered
    change = desk.get(reverse("admin:reports_report_change", args=[answered.pk])).content.decode()
    assert "响应约稿" in change and "基层立法联系点建设经验" in change
    none = desk.get(INBOX + "?call=none").content.decode()
    assert "上城区：没有响应约稿" in none and answered.title not in none


def test_the_inbox_query_count_does_not_grow_with_answers(desk, submitter, django_assert_max_num_queries):
    call = make_call()
    for n in range(3):
        answer(call, submitter, title=f"上城区：第 {n} 篇")
    with django_assert_max_num_queries(20) as captured:
        desk.get(INBOX)
    few = len(captured)
    for n in range(3, 9):
        answer(call, submitter, title=f"上城区：第 {n} 篇")
    with django_assert_max_num_queries(few):
        desk.get(INBOX)


def test_the_units_page_shows_its_reminders_and_the_editor_can_send_one(desk, submitter, editor):
    unit = submitter.profile.unit
    url = reverse("admin:reports_contributor_change", args=[unit.pk])
    assert "暂无催报记录" in desk.get(url).content.decode()
    changelist = reverse("admin:reports_contributor_changelist")
    desk.post(changelist, {"action": "remind_selected", "_selected_action": [unit.pk]})
    reminder = Reminder.objects.get(unit=unit)
    assert reminder.reason == Reminder.Reason.MANUAL and reminder.sent_by == editor
    page = desk.get(url).content.decode()
    assert "编辑催报" in page and "请按要求及时报送信息" in page and "editor" in page
    response = desk.post(changelist, {"action": "remind_selected", "_selected_action": [unit.pk]}, follow=True)
    assert "今天已催报过" in response.content.decode()
    assert Reminder.objects.filter(unit=unit).count() == 1


def test_the_completion_page_button_reminds_units_that_have_not_answered(desk, submitter, other_submitter):
    call = make_call(units=[submitter.profile.unit, other_submitter.profile.unit])
    answer(call, other_submitter)
    response = desk.post(reverse("admin:network_call_remind", args=[call.pk]), follow=True)
    assert "已催报 1 个单位" in response.content.decode()
    assert list(Reminder.objects.values_list("unit__name", flat=True)) == ["上城区人大常委会办公室"]


def test_the_reminder_log_is_read_only(desk, submitter):
    assert desk.get(reverse("admin:network_reminder_changelist")).status_code == 200
    assert desk.get(reverse("admin:network_reminder_add")).status_code == 403


def test_quotas_are_edited_by_the_editor_and_inconsistent_ones_refused(desk):
    url = reverse("admin:network_quota_add")
    ok = desk.post(
        url, {"period": "month", "scope": "every_unit", "target": "2", "remind_day": "20", "is_active": "on"}
    )
    assert ok.status_code == 302 and Quota.objects.get().target == 2
    again = desk.post(
        url, {"period": "month", "scope": "every_unit", "target": "3", "remind_day": "20", "is_active": "on"}
    )
    assert "该周期已有“每个单位”的报送任务" in again.content.decode()
    bad = desk.post(url, {"period": "month", "scope": "district", "target": "3", "remind_day": "20"})
    assert "“区县合计”须选区县" in bad.content.decode()
    assert Quota.objects.count() == 1


def test_a_quota_no_longer_in_use_does_not_block_its_successor(desk, submitter):
    """Only the quotas in use are unique: last year's, kept inactive for the record, leaves room for a new one."""
    url = reverse("admin:network_quota_add")
    unit = submitter.profile.unit
    Quota.objects.create(period="month", scope="every_unit", target=2, is_active=False)
    Quota.objects.create(period="month", scope="unit", unit=unit, target=2, is_active=False)
    Quota.objects.create(period="month", scope="district", district="xihu", target=5, is_active=False)
    active = {"target": "3", "remind_day": "20", "is_active": "on", "period": "month"}
    assert desk.post(url, active | {"scope": "every_unit"}).status_code == 302
    assert desk.post(url, active | {"scope": "unit", "unit": unit.pk}).status_code == 302
    assert desk.post(url, active | {"scope": "district", "district": "xihu"}).status_code == 302
    assert Quota.objects.filter(is_active=True).count() == 3
    # Turning an old one back on while its successor is in use is refused, in Chinese.
    old = Quota.objects.get(scope="unit", is_active=False)
    change = desk.post(
        reverse("admin:network_quota_change", args=[old.pk]),
        {"period": "month", "scope": "unit", "unit": unit.pk, "target": "2", "remind_day": "20", "is_active": "on"},
    )
    assert "该单位在这个周期已有报送任务" in change.content.decode()


def test_the_desk_summary_shows_open_calls_and_units_below_quota(desk, submitter, other_submitter):
    call = make_call(topic="预算联网监督工作经验", districts=["shangcheng"], quota_count=1)
    answer(call, submitter)
    Quota.objects.create(period="month", scope="unit", unit=other_submitter.profile.unit, target=2)
    Quota.objects.create(period="month", scope="unit", unit=submitter.profile.unit, target=3)
    page = desk.get(reverse("admin:index")).content.decode()
    assert "约稿：预算联网监督工作经验" in page
    assert "已报送 1/2 个单位，1 篇" in page
    assert "<strong>西湖区人大常委会办公室（零报送）</strong>" in page
    assert "上城区人大常委会办公室（1/3）" in page
    assert page.index("西湖区人大常委会办公室（零报送）") < page.index("上城区人大常委会办公室（1/3）")


def test_a_call_that_was_sent_cannot_be_deleted(desk):
    call = make_call()
    assert desk.get(reverse("admin:network_call_delete", args=[call.pk])).status_code == 403
    draft = make_call(status="draft")
    assert desk.get(reverse("admin:network_call_delete", args=[draft.pk])).status_code == 200


def test_the_desk_summary_says_when_the_worker_reminds_next(desk):
    from django_tasks_db.models import DBTaskResult

    from network.services import ensure_scheduled

    DBTaskResult.objects.all().delete()
    assert "未安排自动催报" in desk.get(reverse("admin:index")).content.decode()
    run_after = timezone.localtime(ensure_scheduled())
    assert (
        f"下次自动催报 {run_after.month}月{run_after.day}日 08:30" in desk.get(reverse("admin:index")).content.decode()
    )
