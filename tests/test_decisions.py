"""Every status move, legal and illegal, for each side; and the editor's decisions made through the inbox."""

import itertools
import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse

from reports.models import Report, ReportEvent, TransitionError
from tests.desk import make_report

S = Report.Status
# The workflow as the 研究室 described it: what each side may do from each status.
EDITOR_MAY = {
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.RETURNED),
    (S.SUBMITTED, S.DECLINED),
    (S.ACCEPTED, S.RETURNED),
    (S.ACCEPTED, S.DECLINED),
    (S.ACCEPTED, S.PUBLISHED),
}
# A unit without a review chain; (a report returned inside the unit before the unit dropped its chain goes on.)
UNIT_MAY = {(S.DRAFT, S.SUBMITTED), (S.RETURNED, S.SUBMITTED), (S.UNIT_RETURNED, S.SUBMITTED)}


def report_in(status, submitter):
    report = make_report(submitter, status=S.DRAFT)
    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    return report


@pytest.mark.parametrize(("current", "to"), list(itertools.product(S, S)))
def test_every_move_by_the_editor(current, to, submitter, editor):
    report = report_in(current, submitter)
    comment = "理由"
    if (current, to) in EDITOR_MAY:
        event = report.transition(to, by=editor, comment=comment)
        report.refresh_from_db()
        assert report.status == to
        assert (event.from_status, event.to_status, event.actor, event.comment) == (current, to, editor, comment)
    else:
        with pytest.raises(TransitionError):
            report.transition(to, by=editor, comment=comment)
        report.refresh_from_db()
        assert report.status == current
        assert not report.events.exists()


@pytest.mark.parametrize(("current", "to"), list(itertools.product(S, S)))
def test_every_move_by_the_unit(current, to, submitter):
    report = report_in(current, submitter)
    if (current, to) in UNIT_MAY:
        report.transition(to, by=submitter, secrecy_declared=True)
        assert Report.objects.get(pk=report.pk).status == to
    else:
        with pytest.raises(TransitionError):
            report.transition(to, by=submitter, comment="理由", secrecy_declared=True)
        assert Report.objects.get(pk=report.pk).status == current


@pytest.mark.parametrize("to", [S.RETURNED, S.DECLINED])
def test_return_and_decline_need_a_reason(to, submitter, editor):
    report = make_report(submitter)
    with pytest.raises(TransitionError, match="请填写理由"):
        report.transition(to, by=editor, comment="  ")
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


def decide(client, report, decision, comment="", seen=None, seen_content=None):
    """Post the decision panel as the change page renders it, with the status and the text the editor saw."""
    url = reverse("admin:reports_report_decide", args=[report.pk])
    stored = Report.objects.get(pk=report.pk)
    data = {
        "decision": decision,
        "comment": comment,
        "seen_status": seen or stored.status,
        "seen_content": seen_content or stored.content_signature(),
    }
    return client.post(url, data, follow=True)


def test_accepting_from_the_inbox_records_who_and_when(client, submitter, editor):
    report = make_report(submitter)
    client.force_login(editor)
    response = decide(client, report, "accept")
    assert "已采用" in response.text
    report.refresh_from_db()
    assert report.status == S.ACCEPTED
    event = report.events.last()
    assert (event.to_status, event.actor) == (S.ACCEPTED, editor)


def test_returning_with_a_comment_tells_the_unit_why(client, submitter, editor):
    report = make_report(submitter)
    client.force_login(editor)
    decide(client, report, "return", "请补充第二季度数据")
    report.refresh_from_db()
    assert report.status == S.RETURNED
    assert report.events.last().comment == "请补充第二季度数据"
    client.force_login(submitter)
    for page in ("reports:detail", "reports:edit"):
        assert "研究室退回修改：请补充第二季度数据" in client.get(reverse(page, args=[report.pk])).text
    # the unit revises and resubmits: a second version is kept next to the first
    report.body = "<p>补充后的正文</p>"
    report.save()
    report.transition(S.SUBMITTED, by=submitter, secrecy_declared=True)
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]


def test_a_declined_report_shows_the_unit_the_reason(client, submitter, editor):
    report = make_report(submitter)
    client.force_login(editor)
    decide(client, report, "decline", "与本刊主题不符")
    client.force_login(submitter)
    assert "未采用：与本刊主题不符" in client.get(reverse("reports:detail", args=[report.pk])).text


def test_declining_without_a_reason_is_refused_with_a_message(client, submitter, editor):
    report = make_report(submitter)
    client.force_login(editor)
    response = decide(client, report, "decline", "")
    assert "未采用时请填写理由" in response.text
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


def test_an_illegal_decision_is_refused_with_a_message(client, submitter, editor):
    report = make_report(submitter, status=S.DECLINED, editor=editor)
    client.force_login(editor)
    response = decide(client, report, "accept")
    assert "不能把“未采用”状态的信息改为“已采用”" in response.text
    assert Report.objects.get(pk=report.pk).status == S.DECLINED
    assert ReportEvent.objects.filter(report=report, to_status=S.ACCEPTED).count() == 0


def test_a_submitter_cannot_decide(client, submitter):
    report = make_report(submitter)
    client.force_login(submitter)
    decide(client, report, "accept")
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


def test_bulk_accept_from_the_inbox(client, submitter, other_submitter, editor):
    reports = [make_report(submitter, "甲"), make_report(other_submitter, "乙")]
    declined = make_report(submitter, "丙", status=S.DECLINED, editor=editor)
    client.force_login(editor)
    url = reverse("admin:reports_report_changelist") + "?status=all"
    ids = [r.pk for r in [*reports, declined]]
    response = client.post(url, {"action": "accept_selected", "_selected_action": ids}, follow=True)
    assert "已采用 2 篇信息" in response.text
    assert "《丙》" in response.text
    assert sorted(Report.objects.values_list("status", flat=True)) == [S.ACCEPTED, S.ACCEPTED, S.DECLINED]


def test_the_change_page_sends_the_status_the_editor_saw(client, submitter, editor):
    report = make_report(submitter)
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert '<input type="hidden" name="seen_status" value="submitted">' in page


def test_a_decision_on_a_report_that_moved_meanwhile_is_refused(client, submitter, editor):
    """Another editor accepted while this one was reading the submitted report: the decline is not applied."""
    report = make_report(submitter)
    report.transition(S.ACCEPTED, by=editor)
    client.force_login(editor)
    response = decide(client, report, "decline", "不予采用", seen=S.SUBMITTED)
    assert "状态已由“已报送”变为“已采用”" in response.text and "本次操作未执行" in response.text
    assert Report.objects.get(pk=report.pk).status == S.ACCEPTED


def test_a_comment_over_the_limit_says_so(client, submitter, editor):
    report = make_report(submitter)
    client.force_login(editor)
    response = decide(client, report, "return", "请" * 2001)
    assert "说明最多 2000 字，现有 2001 字" in response.text and "请选择一个处理决定" not in response.text
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_accept_and_decline_at_once_exactly_one_applies(submitter, editor):
    """Two editors on the same submitted report, each with its own connection, press at the same moment."""
    outcomes = {}
    for attempt in range(5):
        report = make_report(submitter, f"同时处理{attempt}")
        barrier = threading.Barrier(2)

        def press(decision, comment, report=report, barrier=barrier, attempt=attempt):
            try:
                client = Client()
                client.force_login(editor)
                url = reverse("admin:reports_report_decide", args=[report.pk])
                data = {
                    "decision": decision,
                    "comment": comment,
                    "seen_status": "submitted",
                    "seen_content": report.content_signature(),
                }
                barrier.wait()
                response = client.post(url, data)
                outcomes[(attempt, decision)] = [m.message for m in get_messages(response.wsgi_request)]
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=press, args=("accept", "")),
            threading.Thread(target=press, args=("decline", "与主题不符")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        moves = list(report.events.exclude(to_status=S.SUBMITTED).values_list("to_status", flat=True))
        assert len(moves) == 1, moves
        refused = [d for d in ("accept", "decline") if any("本次操作未执行" in m for m in outcomes[(attempt, d)])]
        assert len(refused) == 1
        assert Report.objects.get(pk=report.pk).status == moves[0]


def test_a_decision_on_a_text_the_editor_has_not_read_is_refused(client, submitter, editor):
    """Returned and sent again, the report is back in the status the editor's open page shows, with another text."""
    report = make_report(submitter, "先看的版本")
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    seen_content = re.search(r'name="seen_content" value="([0-9a-f]+)"', page)[1]
    report.transition(S.RETURNED, by=editor, comment="请补充")
    report = Report.objects.get(pk=report.pk)
    report.body = "<p>重新写过的正文</p>"
    report.save(update_fields=["body"])
    report.transition(S.SUBMITTED, by=submitter, secrecy_declared=True)
    response = decide(client, report, "accept", seen_content=seen_content)
    assert "内容在您打开页面后已有修改" in response.text
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    response = decide(client, report, "accept")  # after reading the new text
    assert Report.objects.get(pk=report.pk).status == S.ACCEPTED


def test_inbox_columns_say_dash_where_nothing_applies(client, submitter, editor):
    """等待 and 编入 of a report not waiting or not accepted read “—”, not the admin's empty value (未指定), which
    is kept for a report with no suggested section."""
    make_report(submitter, "甲")
    make_report(submitter, "乙", status=S.ACCEPTED, editor=editor)
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_changelist") + "?status=all&o=1").text
    rows = {
        title: dict(re.findall(r'<td class="field-(\w+)[^"]*">(.*?)</td>', row, re.S))
        for row in re.findall(r"<tr>.*?</tr>", page, re.S)
        for title in re.findall(r">(甲|乙)</a>", row)
    }
    assert rows["甲"]["waiting_days"] == "0 天" and rows["甲"]["placement"] == "—"
    assert rows["乙"]["waiting_days"] == "—" and "编入…" in rows["乙"]["placement"]
    assert rows["甲"]["suggested_section"] == "未指定"


def test_the_change_pages_record_names_people_not_their_logins(client, submitter, editor):
    editor.last_name, editor.first_name = "王", "编辑"
    editor.save()
    report = make_report(submitter)
    report.transition(S.ACCEPTED, by=editor)
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert "王编辑 · 已报送 → 已采用" in page
    assert "· editor ·" not in page and "· submitter ·" not in page
