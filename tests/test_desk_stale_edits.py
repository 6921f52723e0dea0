"""The desk's forms save what this editor changed, never a stale copy of what another editor saved meanwhile."""

import contextlib
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from issues import services
from issues.models import COLOPHON_FIELDS, Issue, Piece
from reports.models import Report
from tests.desk import make_draft, make_report

S = Report.Status


def url(name, issue, *args):
    return reverse(f"admin:issues_issue_desk{name}", args=[issue.pk, *args])


def wait_for_lock_wait(pid: list[int], timeout: float = 10) -> None:
    """Until the backend whose pid the other thread puts in `pid` waits for a lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if pid:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid[0]])
                row = cursor.fetchone()
                if row and row[0] == "Lock":
                    return
            time.sleep(0.01)
    raise AssertionError(f"the other connection did not wait for a lock within {timeout} s")


@contextlib.contextmanager
def issue_locked(issue_id: int):
    """The issue's row locked by another connection (a thread of its own) until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Issue.objects.select_for_update().get(pk=issue_id)
            locked.set()
            release.wait(10)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join(10)


@pytest.fixture
def article(db, submitter, editor):
    report = make_report(submitter, "原标题", status=S.ACCEPTED, editor=editor, body="<p>原正文。</p>")
    return services.place_report(report, make_draft(), as_brief=False)


@pytest.fixture
def brief(db, submitter, editor, article):
    report = make_report(submitter, "一则摘登", status=S.ACCEPTED, editor=editor, body="<p>开展走访活动。</p>")
    return services.place_report(report, article.issue, as_brief=True)


def shown(piece):
    """The edit panel's post as the page showed it (the `initial-` fields carry the values shown)."""
    values = {"title": piece.title, "section": piece.section_id or "", "lead": piece.lead, "body": piece.body}
    return {**values, **{f"initial-{k}": v for k, v in values.items()}, "note": ""}


@pytest.mark.django_db
def test_the_edit_panel_carries_the_values_it_shows(client, editor, article):
    client.force_login(editor)
    text = client.get(url("", article.issue) + f"?edit={article.pk}").text
    assert 'name="initial-title" value="原标题"' in text and 'name="initial-body"' in text


@pytest.mark.django_db
def test_a_title_edit_keeps_the_text_another_editor_saved_meanwhile(client, editor, article):
    client.force_login(editor)
    data = shown(article)  # editor A opens the panel …
    services.edit_piece(article, by=editor, body="<p>乙改过的正文。</p>")  # … editor B saves the text …
    client.post(url("_piece", article.issue, article.pk), {**data, "title": "甲改过的标题"})  # … A saves the title
    article.refresh_from_db()
    assert (article.title, article.body) == ("甲改过的标题", "<p>乙改过的正文。</p>")


@pytest.mark.django_db
def test_an_edit_of_a_field_changed_meanwhile_is_refused_and_the_input_kept(client, editor, article):
    client.force_login(editor)
    data = shown(article)
    services.edit_piece(article, by=editor, body="<p>乙改过的正文。</p>")
    response = client.post(url("_piece", article.issue, article.pk), {**data, "body": "<p>甲改过的正文。</p>"})
    article.refresh_from_db()
    assert article.body == "<p>乙改过的正文。</p>"  # B's text stays
    page = response.text
    assert response.status_code == 200 and "已被他人修改" in page
    assert "甲改过的正文" in page  # A's input is on the page again …
    assert 'name="initial-body" value="&lt;p&gt;乙改过的正文。&lt;/p&gt;"' in page  # … and a second save is deliberate
    client.post(url("_piece", article.issue, article.pk), {**shown(article), "body": "<p>甲改过的正文。</p>"})
    article.refresh_from_db()
    assert article.body == "<p>甲改过的正文。</p>"


@pytest.mark.django_db
def test_the_briefs_form_does_not_overwrite_a_brief_edited_meanwhile(client, editor, brief):
    client.force_login(editor)
    page = client.get(url("", brief.issue)).text
    assert f'name="seen-text-{brief.pk}"' in page
    shown_text = brief.body.removeprefix("<p>").removesuffix("</p>")
    data = {
        f"lead-{brief.pk}": brief.lead,
        f"seen-lead-{brief.pk}": brief.lead,
        f"text-{brief.pk}": shown_text,
        f"seen-text-{brief.pk}": shown_text,
    }
    services.edit_piece(brief, by=editor, body="乙改过的摘登。")
    client.post(url("_briefs", brief.issue), {**data, f"lead-{brief.pk}": "上城区湖滨街道人大工委"})
    brief.refresh_from_db()
    assert (brief.lead, brief.body) == ("上城区湖滨街道人大工委", "<p>乙改过的摘登。</p>")
    response = client.post(url("_briefs", brief.issue), {**data, f"text-{brief.pk}": "甲改过的摘登。"}, follow=True)
    brief.refresh_from_db()
    assert brief.body == "<p>乙改过的摘登。</p>"
    assert "已被他人修改" in response.text and "甲改过的摘登。" in response.text


@pytest.fixture
def colophon_shown(client, editor, article):
    """The editor logged in, the article's issue, and the colophon panel's post as the page showed it (each field
    beside its `initial-` value)."""
    client.force_login(editor)
    issue = Issue.objects.get(pk=article.issue_id)
    fields = ["date", "number", "total_number", *COLOPHON_FIELDS]
    values = {name: getattr(issue, name) or "" for name in fields} | {"date": issue.date.isoformat()}
    return issue, {**values, **{f"initial-{k}": v for k, v in values.items()}}


@pytest.mark.django_db
def test_the_colophon_form_saves_only_the_fields_changed_in_it(client, editor, colophon_shown):
    issue, data = colophon_shown
    services.update_issue(issue, by=editor, phone="0571-88888888")  # another editor meanwhile
    client.post(url("_issue", issue), {**data, "responsible_editor": "王五"})
    issue.refresh_from_db()
    assert (issue.responsible_editor, issue.phone) == ("王五", "0571-88888888")


@pytest.mark.django_db
def test_the_colophon_form_refuses_a_field_someone_else_changed_meanwhile(client, editor, colophon_shown):
    issue, data = colophon_shown
    services.update_issue(issue, by=editor, responsible_editor="乙")  # another editor meanwhile
    response = client.post(url("_issue", issue), {**data, "responsible_editor": "甲"}, follow=True)
    issue.refresh_from_db()
    assert issue.responsible_editor == "乙"
    assert "本期责任编辑在您打开后已被他人修改" in response.text and "您填写的是：本期责任编辑：甲" in response.text
    client.post(url("_issue", issue), {**data, "initial-responsible_editor": "乙", "responsible_editor": "甲"})
    issue.refresh_from_db()
    assert issue.responsible_editor == "甲"  # seen as it is now: a deliberate change


@pytest.mark.django_db(transaction=True)
def test_an_edit_takes_the_issue_lock_before_the_piece_lock(editor, submitter):
    """Same order as `arrange` (issue, then its pieces): an edit waiting for the issue holds no piece lock, so an
    edit and a drop at once cannot deadlock (PostgreSQL would kill one of them with an error page)."""
    report = make_report(submitter, "原标题", status=S.ACCEPTED, editor=editor)
    piece = services.place_report(report, make_draft(), as_brief=False)
    done = threading.Event()
    editor_pid = []

    def edit():
        connection.ensure_connection()
        editor_pid.append(connection.connection.info.backend_pid)
        services.edit_piece(piece, by=editor, title="甲改过的标题")
        done.set()
        connections.close_all()

    editing = threading.Thread(target=edit)
    try:
        with issue_locked(piece.issue_id):
            editing.start()
            wait_for_lock_wait(editor_pid)  # the edit is now waiting for the issue
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM issues_piece WHERE id = %s FOR UPDATE NOWAIT", [piece.pk])
    finally:
        editing.join(10)
    assert done.is_set()
    assert Piece.objects.get(pk=piece.pk).title == "甲改过的标题"


@pytest.mark.django_db(transaction=True)
def test_two_moves_at_once_both_count(editor, submitter):
    """↑ reads the order under the issue's lock: a move made meanwhile is moved from, not undone."""
    draft = make_draft()
    _, b, c = (
        services.place_report(make_report(submitter, title, status=S.ACCEPTED, editor=editor), draft, as_brief=False)
        for title in ("甲", "乙", "丙")
    )
    locked, release = threading.Event(), threading.Event()

    def move_c_up_and_hold():
        with transaction.atomic():
            services.move(c, -1)  # 甲 丙 乙, not yet committed
            locked.set()
            release.wait(10)
        connections.close_all()

    def move_b_up():
        services.move(b, -1)
        connections.close_all()

    holder = threading.Thread(target=move_c_up_and_hold)
    holder.start()
    locked.wait(10)
    mover = threading.Thread(target=move_b_up)
    mover.start()
    time.sleep(0.5)  # the second move is now waiting for the issue
    release.set()
    holder.join(10)
    mover.join(10)
    assert list(draft.piece_set.articles().order_by("position").values_list("title", flat=True)) == ["甲", "乙", "丙"]


@pytest.mark.django_db(transaction=True)
def test_placing_takes_the_issue_lock_before_the_report_lock(editor, submitter):
    """Same order as publishing and 移出 (issue, then its reports): a placement waiting for the issue holds no
    report lock, so a placement and a publication at once cannot deadlock."""
    report = make_report(submitter, "待编入", status=S.ACCEPTED, editor=editor)
    draft = make_draft()
    done = threading.Event()

    def place():
        services.place_report(report, draft, as_brief=True)
        done.set()
        connections.close_all()

    placing = threading.Thread(target=place)
    try:
        with issue_locked(draft.pk):
            placing.start()
            time.sleep(0.5)  # the placement is now waiting for the issue
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM reports_report WHERE id = %s FOR UPDATE NOWAIT", [report.pk])
    finally:
        placing.join(10)
    assert done.is_set()
    assert Piece.objects.get(report=report).issue_id == draft.pk


@pytest.mark.django_db
def test_the_briefs_form_locks_only_the_briefs_the_editor_changed(client, editor, submitter, brief):
    from django.test.utils import CaptureQueriesContext

    other = services.place_report(
        make_report(submitter, "另一则", status=S.ACCEPTED, editor=editor, body="<p>开展调研活动。</p>"),
        brief.issue,
        as_brief=True,
    )
    client.force_login(editor)
    data = {}
    for piece in (brief, other):
        shown_text = piece.body.removeprefix("<p>").removesuffix("</p>")
        data |= {f"lead-{piece.pk}": piece.lead, f"seen-lead-{piece.pk}": piece.lead}
        data |= {f"text-{piece.pk}": shown_text, f"seen-text-{piece.pk}": shown_text}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url("_briefs", brief.issue), data, follow=True)
    assert "摘登没有改动" in response.text
    assert not [q for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        client.post(url("_briefs", brief.issue), data | {f"text-{other.pk}": "开展专题调研活动。"})
    locked = " ".join(q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"])
    assert f'"issues_piece"."id" = {other.pk} ' in locked and f'"issues_piece"."id" = {brief.pk} ' not in locked
    assert Piece.objects.get(pk=other.pk).body == "<p>开展专题调研活动。</p>"


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_the_same_colophon_field_at_once_one_is_told_the_other_saved(editor, submitter):
    """Both saw 张三 as 责任编辑 and both save at once (two connections, queued on the issue's lock): the first
    save stands, the second is refused with the reason instead of overwriting it."""
    report = make_report(submitter, "原标题", status=S.ACCEPTED, editor=editor)
    issue = services.place_report(report, make_draft(), as_brief=False).issue
    Issue.objects.filter(pk=issue.pk).update(responsible_editor="张三")
    pids, outcomes = {"甲": [], "乙": []}, {}

    def save(name):
        connection.ensure_connection()
        pids[name].append(connection.connection.info.backend_pid)
        try:
            services.update_issue(issue, by=editor, seen={"responsible_editor": "张三"}, responsible_editor=name)
            outcomes[name] = "saved"
        except services.EditConflict as exc:
            outcomes[name] = str(exc)
        finally:
            connections.close_all()

    savers = [threading.Thread(target=save, args=(name,)) for name in ("甲", "乙")]
    try:
        with issue_locked(issue.pk):
            for saver, name in zip(savers, ("甲", "乙"), strict=True):
                saver.start()
                wait_for_lock_wait(pids[name])  # queued on the issue, the second behind the first
    finally:
        for saver in savers:
            if saver.ident is not None:  # started
                saver.join(10)
    stored = Issue.objects.get(pk=issue.pk).responsible_editor
    loser = next(name for name in outcomes if name != stored)
    assert outcomes[stored] == "saved"
    assert outcomes[loser] == "本期责任编辑在您打开后已被他人修改，本次修改未保存。"
