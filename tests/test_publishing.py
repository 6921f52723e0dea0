"""Publishing: numbers fixed gap-free and unique (also under concurrency), reports marked, corrections recorded."""

import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from issues.models import Correction, Issue, Section
from issues.services import DeskError, place_report, publish, record_correction, sign_off
from reports.models import Report
from tests.desk import make_draft, make_report

ROOT = Path(__file__).resolve().parent.parent


def fill(issue, user, editor, n=1):
    """Give the draft `n` articles made from accepted reports."""
    section = Section.objects.get(name="要闻速递")
    for i in range(n):
        report = make_report(user, f"信息{issue.pk}-{i}", status=Report.Status.ACCEPTED, editor=editor)
        place_report(report, issue, as_brief=False, section=section)
    return issue


def test_numbers_continue_from_the_last_published_issue(published_issue, submitter, editor):
    assert (published_issue.number, published_issue.total_number) == (4, 692)
    draft = fill(make_draft(date=datetime.date(2024, 5, 10)), submitter, editor)
    assert (draft.number, draft.total_number) == (5, 693)  # proposed
    issue = publish(draft, by=editor)
    assert (issue.number, issue.total_number, issue.status) == (5, 693, Issue.Status.PUBLISHED)
    assert issue.published_at is not None


def test_a_draft_moved_into_a_new_year_still_starts_that_year_at_1(published_issue, submitter, editor):
    draft = fill(make_draft(date=datetime.date(2024, 12, 30)), submitter, editor)
    assert (draft.number, draft.total_number) == (5, 693)  # proposed for 2024
    Issue.objects.filter(pk=draft.pk).update(date=datetime.date(2025, 1, 6), year=2025)
    issue = publish(Issue.objects.get(pk=draft.pk), by=editor)
    assert (issue.year, issue.number, issue.total_number) == (2025, 1, 693)


def test_the_history_page_cannot_revert_a_published_issue(client, published_issue, editor):
    client.force_login(editor)
    published_issue.responsible_editor = "改动"
    published_issue.save()
    first = published_issue.history.earliest()
    url = f"/admin/issues/issue/{published_issue.pk}/history/{first.history_id}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "draft"}).status_code == 403
    published_issue.refresh_from_db()
    assert published_issue.is_published and published_issue.responsible_editor == "改动"


def test_a_new_year_restarts_the_number_but_not_the_total(published_issue, submitter, editor):
    draft = fill(make_draft(date=datetime.date(2025, 1, 8)), submitter, editor)
    issue = publish(draft, by=editor)
    assert (issue.year, issue.number, issue.total_number) == (2025, 1, 693)


def test_numbers_are_fixed_at_publication_not_taken_from_a_stale_proposal(published_issue, submitter, editor):
    first = fill(make_draft(), submitter, editor)
    second = fill(make_draft(), submitter, editor)
    assert second.number == first.number == 5  # both proposed before either was published
    assert publish(second, by=editor).number == 5
    assert (publish(first, by=editor).number, Issue.objects.get(pk=first.pk).total_number) == (6, 694)


def test_special_issues_have_their_own_sequence_and_no_total(all_seeds, submitter, editor):
    draft = fill(make_draft(kind=Issue.Kind.SPECIAL, date=datetime.date(2024, 9, 1)), submitter, editor)
    issue = publish(draft, by=editor)
    assert (issue.number, issue.total_number) == (10, None)
    regular = publish(fill(make_draft(), submitter, editor), by=editor)
    assert (regular.number, regular.total_number) == (5, 693)


def test_publishing_marks_the_reports_published_and_tells_the_unit_where(published_issue, submitter, editor):
    draft = make_draft()
    article_report = make_report(submitter, "文章来源", status=Report.Status.ACCEPTED, editor=editor)
    brief_report = make_report(submitter, "摘登来源", status=Report.Status.ACCEPTED, editor=editor)
    place_report(article_report, draft, as_brief=False, section=Section.objects.first())
    place_report(brief_report, draft, as_brief=True)
    publish(draft, by=editor)
    for report, where in [(article_report, "文章"), (brief_report, "信息摘登")]:
        report.refresh_from_db()
        assert report.status == Report.Status.PUBLISHED
        event = report.events.last()
        assert event.actor == editor
        assert event.comment == f"刊用于《杭州人大信息》2024年第5期（总第693期）（{where}）"


def test_publish_refuses_an_issue_already_published(published_issue, editor):
    with pytest.raises(DeskError, match="已经发布"):
        publish(published_issue, by=editor)


def test_publish_refuses_an_empty_issue(published_issue, editor):
    draft = make_draft()
    with pytest.raises(DeskError, match="还没有文章"):
        publish(draft, by=editor)
    draft.refresh_from_db()
    assert draft.status == Issue.Status.DRAFT


def test_publish_refuses_when_a_placed_report_was_returned_meanwhile(published_issue, submitter, editor):
    draft = fill(make_draft(), submitter, editor)
    report = draft.piece_set.articles().get().report
    # the workflow refuses to return a placed report; publishing still checks in case the data says otherwise
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RETURNED)
    with pytest.raises(DeskError, match="不是“已采用”"):
        publish(draft, by=editor)
    draft.refresh_from_db()
    report.refresh_from_db()
    assert (draft.status, report.status) == (Issue.Status.DRAFT, Report.Status.RETURNED)


def test_sign_off_when_required(settings, published_issue, submitter, editor, approver):
    settings.SIGN_OFF_REQUIRED = True
    draft = fill(make_draft(), submitter, editor)
    with pytest.raises(DeskError, match="尚未签发"):
        publish(draft, by=editor)
    with pytest.raises(DeskError, match="只有签发人"):
        sign_off(draft, by=editor)
    sign_off(draft, by=approver)
    draft.refresh_from_db()
    assert draft.approved_by == approver and draft.approved_at is not None
    assert publish(draft, by=editor).is_published


def test_changing_the_content_after_sign_off_needs_a_new_one(
    client, settings, published_issue, submitter, editor, approver
):
    settings.SIGN_OFF_REQUIRED = True
    draft = fill(make_draft(), submitter, editor)
    sign_off(draft, by=approver)
    fill(draft, submitter, editor)  # another report placed from the inbox
    with pytest.raises(DeskError, match="尚未签发"):
        publish(draft, by=editor)

    sign_off(draft, by=approver)
    article = draft.piece_set.articles().first()
    client.force_login(editor)
    response = client.post(
        f"/admin/issues/article/{article.pk}/change/",
        {
            "issue": draft.pk,
            "section": article.section_id,
            "title": "改写后的标题",
            "body": article.body,
            "unit": article.unit_id,
            "authors": article.authors,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.approved_at is None


def test_without_sign_off_setting_an_editor_publishes_directly(settings, published_issue, submitter, editor):
    settings.SIGN_OFF_REQUIRED = False
    assert publish(fill(make_draft(), submitter, editor), by=editor).is_published


def test_a_correction_is_recorded_with_who_when_and_what(published_issue, editor):
    correction = record_correction(published_issue, by=editor, note="更正作者姓名", changes="作者：张山 → 张三")
    assert list(published_issue.corrections.all()) == [correction]
    assert (correction.made_by, correction.note) == (editor, "更正作者姓名")
    with pytest.raises(DeskError, match="更正说明"):
        record_correction(published_issue, by=editor, note="  ")
    assert Correction.objects.count() == 1


def test_publish_issue_command_prints_one_line_per_issue(all_seeds, submitter, editor, capsys):
    regular = fill(make_draft(), submitter, editor)
    special = fill(make_draft(kind=Issue.Kind.SPECIAL, date=datetime.date(2024, 10, 1)), submitter, editor)
    call_command("publish_issue", str(regular.pk), str(special.pk))
    assert capsys.readouterr().out.splitlines() == [
        "已发布 2024 年普刊第 5 期(总第 693 期) /issues/2024/regular/5/",
        "已发布 2024 年专刊第 10 期 /issues/2024/special/10/",
    ]


def test_publish_issue_command_reports_a_refusal_clearly(published_issue):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 期未发布"):
        call_command("publish_issue", str(published_issue.pk))


def _drafts_to_race(submitter, editor, n=2):
    return [fill(make_draft(), submitter, editor).pk for _ in range(n)]


@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_at_once_get_distinct_gap_free_numbers(submitter, editor):
    from tests.conftest import SEED_REGULAR_4, import_seed

    import_seed(SEED_REGULAR_4)
    ids = _drafts_to_race(submitter, editor, n=4)
    barrier = threading.Barrier(len(ids))
    errors = []

    def run(issue_id):
        try:
            barrier.wait()
            publish(Issue.objects.get(pk=issue_id), by=None)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Issue.objects.filter(pk__in=ids).values_list("number", "total_number"))
    assert numbers == [(5, 693), (6, 694), (7, 695), (8, 696)]


@pytest.mark.django_db(transaction=True)
def test_two_publish_commands_in_separate_processes_get_distinct_numbers(submitter, editor):
    from tests.conftest import SEED_REGULAR_4, database_url, import_seed

    import_seed(SEED_REGULAR_4)
    ids = _drafts_to_race(submitter, editor)
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "test",
    }
    command = [sys.executable, "manage.py", "publish_issue"]
    processes = [
        subprocess.Popen([*command, str(pk)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for pk in ids
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert sorted(outputs) == [
        "已发布 2024 年普刊第 5 期(总第 693 期) /issues/2024/regular/5/",
        "已发布 2024 年普刊第 6 期(总第 694 期) /issues/2024/regular/6/",
    ]
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.PUBLISHED}
