"""The inbox and the report page of the editor's desk: who may see it, what it lists, diff, placement."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from issues.models import Article, Brief, Section
from reports.models import Report, TransitionError
from tests.desk import make_draft, make_report

S = Report.Status
INBOX = "/admin/reports/report/"


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def test_the_inbox_is_refused_to_submitters_and_anonymous(client, submitter):
    assert client.get(INBOX).status_code == 302
    client.force_login(submitter)
    response = client.get(INBOX)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_a_staff_account_without_the_editor_role_is_refused(client, submitter):
    submitter.is_staff = True
    submitter.save()
    client.force_login(submitter)
    assert client.get(INBOX).status_code == 403
    assert client.get("/admin/issues/issue/").status_code == 403


def test_the_inbox_lists_waiting_reports_oldest_first_without_drafts(desk, submitter, other_submitter, editor):
    older = make_report(submitter, "较早报送的信息")
    newer = make_report(other_submitter, "较晚报送的信息")
    make_report(submitter, "单位草稿", status=S.DRAFT)
    make_report(submitter, "已经采用的信息", status=S.ACCEPTED, editor=editor)
    response = desk.get(INBOX)
    text = response.text
    assert text.index(older.title) < text.index(newer.title)
    assert "单位草稿" not in text and "已经采用的信息" not in text
    assert "已报送（2）" in text and "已采用（1）" in text and "全部（3）" in text


def test_a_returned_and_resubmitted_report_waits_from_its_resubmission(desk, submitter, editor):
    first = make_report(submitter, "先报后退回的信息")
    second = make_report(submitter, "后报送的信息")
    first.transition(S.RETURNED, by=editor, comment="请修改")
    first.transition(S.SUBMITTED, by=submitter, secrecy_declared=True)
    text = desk.get(INBOX).text
    assert text.index(second.title) < text.index(first.title)


def test_the_inbox_filters_by_status_district_and_search(desk, submitter, other_submitter, editor):
    make_report(submitter, "上城的信息")
    make_report(other_submitter, "西湖的信息")
    make_report(other_submitter, "西湖已采用", status=S.ACCEPTED, editor=editor)
    text = desk.get(INBOX + "?unit__district__exact=xihu").text
    assert "西湖的信息" in text and "上城的信息" not in text and "西湖已采用" not in text
    text = desk.get(INBOX + "?status=accepted").text
    assert "西湖已采用" in text and "西湖的信息" not in text
    text = desk.get(INBOX + "?status=all&q=上城").text
    assert "上城的信息" in text and "西湖的信息" not in text


def test_reports_cannot_be_deleted_or_added_at_the_desk(desk, submitter, editor):
    report = make_report(submitter, status=S.DECLINED, editor=editor)
    assert desk.get(reverse("admin:reports_report_delete", args=[report.pk])).status_code == 403
    assert "delete_selected" not in desk.get(INBOX).text
    assert desk.get(reverse("admin:reports_report_add")).status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()


def test_an_accepted_report_can_be_edited_and_the_diff_shows_the_change(desk, submitter, editor):
    report = make_report(submitter, "原标题", body="<p>第一段原文。</p><p>第二段不变。</p>")
    url = reverse("admin:reports_report_change", args=[report.pk])
    assert 'name="title"' not in desk.get(url).text  # submitted: read-only until accepted
    report.transition(S.ACCEPTED, by=editor)
    response = desk.post(
        url,
        {"title": "改后标题", "body": "<p>第一段改稿。</p><p>第二段不变。</p><script>x()</script>", "authors": "张三"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "改后标题" and "<script>" not in report.body
    assert report.versions.get().body == "<p>第一段原文。</p><p>第二段不变。</p>"  # as sent, kept
    page = desk.get(url).text
    assert "报送稿（第 1 版）" in page and "第一段原文" in page and "第一段改稿" in page
    assert report.history.count() >= 2  # django-simple-history keeps every saved state
    assert desk.get(reverse("admin:reports_report_history", args=[report.pk])).status_code == 200


def place(client, report, **data):
    return client.post(reverse("admin:reports_report_place", args=[report.pk]), data, follow=True)


def test_placing_a_report_as_an_article_in_a_section(desk, published_issue, submitter, editor):
    report = make_report(submitter, "上城区：一篇好信息", status=S.ACCEPTED, editor=editor)
    draft = make_draft()
    section = Section.objects.get(name="监督纵横")
    page = desk.get(reverse("admin:reports_report_place", args=[report.pk]))
    assert page.status_code == 200 and "编入刊期" in page.text
    response = place(desk, report, issue=draft.pk, placed_as="article", section=section.pk, title="一篇好信息")
    assert response.redirect_chain[-1][0] == reverse("admin:issues_issue_change", args=[draft.pk])
    article = Article.objects.get(report=report)
    assert (article.issue, article.section, article.title, article.unit) == (draft, section, "一篇好信息", report.unit)
    assert article.body == report.body and article.authors == report.authors


def test_placing_a_report_as_a_brief_opens_with_the_districts_committee_in_bold(
    desk, published_issue, submitter, editor
):
    report = make_report(submitter, "摘登用", status=S.ACCEPTED, editor=editor)
    draft = make_draft()
    place(desk, report, issue=draft.pk, placed_as="brief", brief_text="立足职能，推进<落实>。")
    brief = Brief.objects.get(report=report)
    assert brief.printed_body == "<p><strong>上城区人大常委会</strong>立足职能，推进&lt;落实&gt;。</p>"
    assert brief.attribution == "(上城区人大常委会办公室 张三 李四)"  # the submitting office, unchanged


def test_the_brief_is_proposed_from_the_reports_first_paragraph(desk, published_issue, submitter, editor):
    report = make_report(submitter, status=S.ACCEPTED, editor=editor, body="<p>甲&amp;<strong>乙</strong></p><p>丙</p>")
    make_draft()
    page = desk.get(reverse("admin:reports_report_place", args=[report.pk])).text
    assert 'value="上城区人大常委会"' in page
    assert "甲&amp;amp;&lt;strong&gt;乙&lt;/strong&gt;</textarea>" in page  # its bold kept, escaped by the form


def test_a_report_becomes_at_most_one_piece(desk, published_issue, submitter, editor):
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    first, second = make_draft(), make_draft()
    place(desk, report, issue=first.pk, placed_as="brief", brief_text="甲")
    response = place(desk, report, issue=second.pk, placed_as="article", section=Section.objects.first().pk)
    assert "已编入" in response.text
    assert not Article.objects.filter(report=report).exists()
    assert Brief.objects.filter(report=report).count() == 1


def test_placement_refuses_what_is_not_accepted_and_keeps_the_input(desk, published_issue, submitter, editor):
    waiting = make_report(submitter, "还没决定")
    draft = make_draft()
    response = place(desk, waiting, issue=draft.pk, placed_as="brief", brief_text="我的摘登文字")
    assert "只有“已采用”的信息才能编入刊期" in response.text and "我的摘登文字" in response.text
    accepted = make_report(submitter, status=S.ACCEPTED, editor=editor)
    response = place(desk, accepted, issue=draft.pk, placed_as="article", title="保留的标题")
    assert "作为文章编入时请选择栏目" in response.text and "保留的标题" in response.text
    assert not Article.objects.filter(issue=draft).exists()


def test_a_placed_report_cannot_be_returned_until_removed(desk, published_issue, submitter, editor):
    report = make_report(submitter, status=S.ACCEPTED, editor=editor)
    draft = make_draft()
    place(desk, report, issue=draft.pk, placed_as="brief", brief_text="甲")
    url = reverse("admin:reports_report_decide", args=[report.pk])
    seen = {"seen_status": "accepted", "seen_content": report.content_signature()}
    response = desk.post(url, {"decision": "return", "comment": "再改改", **seen}, follow=True)
    assert "请先从该期移出" in response.text
    assert Report.objects.get(pk=report.pk).status == S.ACCEPTED
    # the rule belongs to the workflow itself, whoever calls it
    with pytest.raises(TransitionError, match="请先从该期移出"):
        Report.objects.get(pk=report.pk).transition(S.DECLINED, by=editor, comment="不用了")


def test_the_admin_index_is_refused_to_a_user_without_staff(client, submitter):
    client.force_login(submitter)
    assert client.get("/admin/").status_code == 302
    assert User.objects.get(pk=submitter.pk).is_staff is False


def test_the_diff_compares_what_was_sent_with_what_is_printed(desk, published_issue, submitter, editor):
    from issues.services import place_report

    report = make_report(submitter, "上城区：原题", status=S.ACCEPTED, editor=editor, body="<p>报送的原文。</p>")
    article = place_report(report, make_draft(), as_brief=False, section=Section.objects.first(), title="改后的题")
    article.body = "<p>编辑改过的正文。</p>"
    article.save()
    page = desk.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert "刊用稿（2024年第5期（总第693期））" in page
    assert "报送的原文" in page and "编辑改过的正文" in page and "改后的题" in page
    assert 'name="title"' not in page and "编辑刊用稿" in page  # placed: the article is what gets edited now


def test_the_inbox_query_count_does_not_grow_with_reports(desk, submitter, other_submitter, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from issues.services import place_report

    def load():
        desk.get(INBOX + "?status=all")
        with CaptureQueriesContext(connection) as queries:
            assert desk.get(INBOX + "?status=all").status_code == 200
        return len(queries)

    draft = make_draft()
    make_report(submitter, "一")
    few = load()
    for i in range(6):
        make_report(other_submitter if i % 2 else submitter, f"多{i}", status=S.ACCEPTED, editor=editor)
    for report in Report.objects.filter(status=S.ACCEPTED)[:3]:
        place_report(report, draft, as_brief=True)
    assert load() == few


def test_the_admin_index_shows_the_desk_at_a_glance(desk, published_issue, submitter, editor):
    make_report(submitter, "等待一")
    make_report(submitter, "等待二")
    make_report(submitter, "可编入", status=S.ACCEPTED, editor=editor)
    draft = make_draft()
    text = desk.get("/admin/").text
    assert "待处理的报送信息</a></th><td>2 篇" in text
    assert "已采用、待编入</a></th><td>1 篇" in text
    assert f"草稿：{draft}" in text


def test_the_inbox_filters_reports_not_yet_placed(desk, published_issue, submitter, editor):
    from issues.services import place_report

    placed = make_report(submitter, "已编入的", status=S.ACCEPTED, editor=editor)
    make_report(submitter, "未编入的", status=S.ACCEPTED, editor=editor)
    place_report(placed, make_draft(), as_brief=True)
    text = desk.get(INBOX + "?status=accepted&placement=unplaced").text
    assert "未编入的" in text and "已编入的" not in text


DESK_PAGES = [
    "/admin/",
    "/admin/reports/report/",
    "/admin/reports/report/?status=all",
    "/admin/reports/report/stats/",
    "/admin/reports/contributor/",
    "/admin/issues/issue/",
    "/admin/issues/issue/add/",
    "/admin/issues/article/",
    "/admin/issues/article/add/",
    "/admin/issues/brief/",
    "/admin/issues/section/",
    "/admin/issues/correction/",
]


@pytest.mark.parametrize("url", DESK_PAGES)
def test_every_desk_page_loads_for_the_editor_and_not_for_a_submitter(client, url, all_seeds, editor, submitter):
    make_report(submitter, "一篇信息")
    client.force_login(editor)
    assert client.get(url).status_code == 200
    client.force_login(submitter)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_names_in_print_cannot_be_renamed(client, editor, published_issue):
    from issues.models import Section
    from reports.models import Contributor

    client.force_login(editor)
    printed_unit = published_issue.piece_set.articles().first().unit
    new_unit = Contributor.objects.get_or_create_by_name("拱墅区人大常委会某新设工委")
    assert 'name="name"' not in client.get(f"/admin/reports/contributor/{printed_unit.pk}/change/").content.decode()
    assert 'name="name"' in client.get(f"/admin/reports/contributor/{new_unit.pk}/change/").content.decode()
    printed_section = published_issue.piece_set.articles().first().section
    unused = Section.objects.get(name="监督纵横")
    assert 'name="name"' not in client.get(f"/admin/issues/section/{printed_section.pk}/change/").content.decode()
    assert 'name="name"' in client.get(f"/admin/issues/section/{unused.pk}/change/").content.decode()


def test_the_diff_splits_the_text_into_the_paragraphs_the_wording_check_counts(submitter, editor):
    """A table row is a line of its own (as in the wording check): only the row the editor changed is marked."""
    from reports.admin import version_diff

    def table(second):
        rows = f"<tr><td>甲区不变</td><td>12</td></tr><tr><td>乙区</td><td>{second}</td></tr>"
        return f"<table><tbody>{rows}</tbody></table>"

    report = make_report(submitter, "上城区：原题", status=S.ACCEPTED, editor=editor, body=f"<p>开头。</p>{table(7)}")
    report.body = f"<p>开头。</p>{table(8)}"
    report.save()
    rows = str(version_diff(report)).split("<tr>")
    unchanged = [row for row in rows if "甲区不变" in row]
    assert len(unchanged) == 1 and "diff_" not in unchanged[0].replace("diff_next", "").replace("diff_header", "")
