"""The desk page's plain form posts (what works without JavaScript), each through the services."""

import pytest
from django.urls import reverse

from issues.models import Issue, Piece, Section
from reports.models import Report
from tests.desk import make_draft, make_report

pytestmark = pytest.mark.django_db

S = Report.Status


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def url(name, issue, *args):
    return reverse(f"admin:issues_issue_desk{name}", args=[issue.pk, *args])


def test_the_desk_is_for_editors_only(client, submitter):
    draft = make_draft()
    client.force_login(submitter)
    assert client.get(url("", draft)).status_code == 302  # to the admin's login
    assert client.post(url("_place", draft), {"bulk": "brief"}).status_code == 302
    assert not draft.piece_set.exists()


def test_the_desk_lists_the_unplaced_reports_and_filters_them(desk, submitter, other_submitter, editor):
    draft = make_draft()
    mine = make_report(submitter, "上城区：甲", status=S.ACCEPTED, editor=editor)
    theirs = make_report(other_submitter, "西湖区：乙", status=S.ACCEPTED, editor=editor)
    make_report(submitter, "上城区：待处理")  # submitted, not accepted: not on the desk
    text = desk.get(url("", draft)).text
    assert mine.title in text and theirs.title in text and "上城区：待处理" not in text
    text = desk.get(url("", draft) + "?district=xihu").text
    assert theirs.title in text and mine.title not in text


def test_one_click_places_a_report_in_the_section_of_its_row(desk, submitter, editor):
    draft = make_draft()
    suggested, chosen = Section.objects.get(name="代表工作"), Section.objects.get(name="监督纵横")
    report = make_report(submitter, status=S.ACCEPTED, editor=editor, suggested_section=suggested)
    text = desk.get(url("", draft)).text
    assert f'<option value="{suggested.pk}" selected>' in text  # the suggested section preselected
    desk.post(url("_place", draft), {"one": f"{report.pk}:article", f"section-{report.pk}": chosen.pk})
    piece = Piece.objects.get(report=report)
    assert (piece.kind, piece.section, piece.issue) == (Piece.Kind.ARTICLE, chosen, draft)


def test_several_reports_become_briefs_at_once(desk, submitter, editor):
    draft = make_draft()
    reports = [make_report(submitter, f"上城区：第{n}则", status=S.ACCEPTED, editor=editor) for n in range(3)]
    desk.post(url("_place", draft), {"bulk": "brief", "report": [r.pk for r in reports[:2]]})
    assert draft.piece_set.briefs().count() == 2
    assert Report.objects.filter(Report.UNPLACED, status=S.ACCEPTED).get() == reports[2]


def test_the_side_panel_edits_an_article_and_移出_sends_it_back(desk, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    desk.post(url("_place", draft), {"one": f"{report.pk}:article"})
    piece = Piece.objects.get(report=report)
    text = desk.get(url("", draft) + f"?edit={piece.pk}").text
    assert 'id="edit-panel"' in text and f'id="piece-{piece.pk}"' in text  # the panel beside the 目录
    section = Section.objects.get(name="监督纵横")
    data = {"title": "改过的标题", "section": section.pk, "body": "<p>正文<script>x</script></p>", "note": ""}
    desk.post(url("_piece", draft, piece.pk), data)
    piece.refresh_from_db()
    assert (piece.title, piece.section, piece.body) == ("改过的标题", section, "<p>正文</p>")
    desk.post(url("_remove", draft, piece.pk))
    assert not Piece.objects.filter(pk=piece.pk).exists()
    assert Report.objects.filter(Report.UNPLACED, pk=report.pk, status=S.ACCEPTED).exists()


def test_the_briefs_form_saves_leads_and_texts_as_typed(desk, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    desk.post(url("_place", draft), {"one": f"{report.pk}:brief"})
    brief = Piece.objects.get(report=report)
    text = "开展“民生议事”走访 & 座谈，<b>不是标签</b>。"
    typed = {f"lead-{brief.pk}": "上城区湖滨街道人大工委", f"text-{brief.pk}": text}
    desk.post(url("_briefs", draft), typed)
    brief.refresh_from_db()
    assert brief.printed_body == (
        "<p><strong>上城区湖滨街道人大工委</strong>开展“民生议事”走访 &amp; 座谈，&lt;b&gt;不是标签&lt;/b&gt;。</p>"
    )
    page = desk.get(url("", draft)).text
    assert "走访 &amp; 座谈，&lt;b&gt;不是标签&lt;/b&gt;。</textarea>" in page  # shown as typed: no &amp;amp;


def test_a_brief_with_formatting_is_shown_as_printed_and_edited_on_its_own_page(desk, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    desk.post(url("_place", draft), {"one": f"{report.pk}:brief"})
    brief = Piece.objects.get(report=report)
    Piece.objects.filter(pk=brief.pk).update(body="<p>开展<strong>专题</strong>走访。</p>")
    page = desk.get(url("", draft)).text
    assert f'name="text-{brief.pk}"' not in page and "&lt;strong&gt;" not in page  # no markup to type around
    assert "开展<strong>专题</strong>走访。" in page
    assert reverse("admin:issues_brief_change", args=[brief.pk]) in page
    desk.post(url("_briefs", draft), {f"lead-{brief.pk}": "上城区人大常委会", f"seen-lead-{brief.pk}": brief.lead})
    brief.refresh_from_db()
    assert (brief.lead, brief.body) == ("上城区人大常委会", "<p>开展<strong>专题</strong>走访。</p>")  # bold kept


def test_brief_texts_from_the_editor_or_the_importer_round_trip_through_the_text_box(desk, submitter, editor):
    """A trailing &nbsp; (CKEditor writes them) is no edit by someone else; an imported brief of two paragraphs
    is shown a paragraph a line; a formatted one of two paragraphs is shown with a line break, not stray tags."""
    draft = make_draft()
    briefs = []
    for title in ("甲", "乙", "丙"):
        report = make_report(submitter, f"上城区：{title}", status=S.ACCEPTED, editor=editor)
        desk.post(url("_place", draft), {"one": f"{report.pk}:brief"})
        briefs.append(Piece.objects.get(report=report))
    spaced, imported, formatted = briefs
    Piece.objects.filter(pk=spaced.pk).update(body="<p>开展走访。&nbsp;</p>")
    Piece.objects.filter(pk=imported.pk).update(body="<p>开展走访。</p>\n<p>收集意见。</p>")
    Piece.objects.filter(pk=formatted.pk).update(body="<p>开展<strong>走访</strong>。</p>\n<p>收集意见。</p>")
    page = desk.get(url("", draft)).text
    assert ">开展走访。\n收集意见。</textarea>" in page
    assert "开展<strong>走访</strong>。<br>收集意见。" in page and "</p>\n<p>" not in page.split('id="briefs-panel"')[1]
    shown = "开展走访。\xa0"
    response = desk.post(
        url("_briefs", draft),
        {f"text-{spaced.pk}": "开展走访，收集意见。", f"seen-text-{spaced.pk}": shown},
        follow=True,
    )
    spaced.refresh_from_db()
    assert spaced.body == "<p>开展走访，收集意见。</p>" and "已被他人修改" not in response.text


def test_the_article_panel_keeps_a_body_the_editor_only_reloaded(desk, submitter, editor):
    """CKEditor gives the body back without the line breaks between paragraphs: a title-only change saves the title,
    keeps the body as stored and does not collide with a body another editor saved meanwhile."""
    draft = make_draft()
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    desk.post(url("_place", draft), {"one": f"{report.pk}:article"})
    piece = Piece.objects.get(report=report)
    shown_body = "<h3>一、基本情况</h3>\n<p>第一段。</p>\n<p>第二段。</p>"
    Piece.objects.filter(pk=piece.pk).update(body=shown_body)
    piece.refresh_from_db()
    shown = {"title": piece.title, "section": "", "body": shown_body}
    data = {**{f"initial-{k}": v for k, v in shown.items()}, "note": ""}
    data |= {"title": "改过的标题", "section": "", "body": "<h3>一、基本情况</h3><p>第一段。</p><p>第二段。</p>"}
    Piece.objects.filter(pk=piece.pk).update(body="<p>乙改过的正文。</p>")  # another editor, meanwhile
    response = desk.post(url("_piece", draft, piece.pk), data, follow=True)
    piece.refresh_from_db()
    assert (piece.title, piece.body) == ("改过的标题", "<p>乙改过的正文。</p>")
    assert "已被他人修改" not in response.text


def test_the_article_panel_edits_the_text_in_the_rich_text_editor(desk, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    desk.post(url("_place", draft), {"one": f"{report.pk}:article"})
    piece = Piece.objects.get(report=report)
    page = desk.get(url("", draft) + f"?edit={piece.pk}").text
    assert "django_ckeditor_5" in page and "dist/bundle.js" in page
    assert "正文（HTML）" not in page
    assert "dist/bundle.js" not in desk.get(url("", draft)).text  # loaded only with the panel


def test_the_colophon_panel_saves_the_issue(desk):
    draft = make_draft()
    data = {
        "date": "2024-05-20",
        "number": 5,
        "total_number": 700,
        "send_to": "省人大常委会办公厅",
        "recipients": "市人大常委会组成人员",
        "responsible_editor": "王五",
        "phone": "87654321",
        "submission_url": "",
    }
    desk.post(url("_issue", draft), data)
    draft.refresh_from_db()
    assert (draft.responsible_editor, draft.total_number, str(draft.date)) == ("王五", 700, "2024-05-20")


def test_a_stale_drop_is_refused_with_a_message(desk, submitter, editor):
    draft = make_draft()
    section = Section.objects.get(name="要闻速递")
    desk.post(url("_place", draft), {"one": f"{make_report(submitter, status=S.ACCEPTED, editor=editor).pk}:article"})
    response = desk.post(url("_arrange", draft), {"group": f"{section.pk}:", "briefs": ""})
    assert response.status_code == 409 and "未保存" in response.json()["error"]


def test_the_desk_of_a_published_issue_sends_to_its_page(desk, published_issue):
    response = desk.get(url("", published_issue))
    assert response.status_code == 302 and response.url == reverse(
        "admin:issues_issue_change", args=[published_issue.pk]
    )


def test_the_desk_start_makes_the_next_issue_when_there_is_no_draft(desk, published_issue):
    assert "新建下一期普刊" in desk.get(reverse("admin:issues_issue_desk_start")).text
    response = desk.post(reverse("admin:issues_issue_desk_start"), {"kind": "regular"})
    draft = Issue.objects.drafts().get()
    assert response.url == url("", draft) and draft.send_to == published_issue.send_to
    assert desk.get(reverse("admin:issues_issue_desk_start")).url == url("", draft)


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_new_at_once_make_one_draft(editor, published_issue):
    """A double click (or two editors) on 新建 from the start page, each request on its own connection."""
    import threading

    from django.db import connections
    from django.test import Client

    barrier, answers = threading.Barrier(2), []

    def click():
        try:
            client = Client()
            client.force_login(editor)
            barrier.wait()
            answers.append(client.post(reverse("admin:issues_issue_desk_start"), {"kind": "regular"}, follow=True))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    draft = Issue.objects.drafts().get()  # one, not two
    texts = sorted(answer.text for answer in answers)
    assert all(url("", draft) in answer.redirect_chain[-1][0] for answer in answers)
    assert sum("已新建" in text for text in texts) == 1 and sum("已为您打开，未再新建" in text for text in texts) == 1
