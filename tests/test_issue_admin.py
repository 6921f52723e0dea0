"""Issue assembly at the desk: next issue proposed, order by position, sign-off, publish, corrections."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Article, Correction, Issue, Section
from issues.services import place_report
from reports.models import Report
from tests.desk import make_draft, make_report


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def change_url(issue):
    return reverse("admin:issues_issue_change", args=[issue.pk])


def issue_form_data(issue, articles=None, briefs=None, **overrides):
    """The change form as the browser posts it: the issue's fields and its inline formsets."""
    data = {
        name: "" if getattr(issue, name) is None else getattr(issue, name)
        for name in ["kind", "year", "number", "total_number", "send_to", "recipients", "responsible_editor", "phone"]
    }
    data |= {"date": issue.date.isoformat(), "submission_url": issue.submission_url}
    for prefix, pieces in (("articles", articles or []), ("briefs", briefs or [])):
        data |= {f"{prefix}-TOTAL_FORMS": len(pieces), f"{prefix}-INITIAL_FORMS": len(pieces)}
        data |= {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
        for i, (piece, position) in enumerate(pieces):
            data |= {f"{prefix}-{i}-id": piece.pk, f"{prefix}-{i}-issue": issue.pk, f"{prefix}-{i}-position": position}
            if prefix == "articles":
                data |= {f"{prefix}-{i}-title": piece.title, f"{prefix}-{i}-section": piece.section_id or ""}
    data |= {"corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0}
    return data | overrides


def test_the_issue_pages_are_refused_to_submitters(client, submitter, published_issue):
    client.force_login(submitter)
    assert client.get("/admin/issues/issue/").status_code == 302
    assert client.get(change_url(published_issue)).status_code == 302


def test_the_next_issue_is_proposed_from_the_last_published(desk, all_seeds):
    # The seeds are of 2024 and a new issue is dated today: 第 N 期 restarts, 总第 M 期 continues.
    assert timezone.localdate().year > 2024
    text = desk.get(reverse("admin:issues_issue_add") + "?kind=regular").text
    assert 'name="number" value="1"' in text and 'name="total_number" value="693"' in text
    assert "省人大常委会办公厅、研究室" in text  # the colophon of the last issue
    text = desk.get(reverse("admin:issues_issue_add") + "?kind=special").text
    assert 'name="number" value="1"' in text and 'name="total_number" value=""' not in text.replace("693", "")


def test_the_issue_list_and_pages_load_for_the_editor(desk, all_seeds, submitter, editor):
    assert desk.get("/admin/issues/issue/").status_code == 200
    draft = make_draft()
    report = make_report(submitter, "区里的信息", status=Report.Status.ACCEPTED, editor=editor)
    place_report(report, draft, as_brief=False, section=Section.objects.get(name="监督纵横"))
    text = desk.get(change_url(draft)).text
    assert "监督纵横" in text and "区里的信息" in text and "发布" in text
    for issue in all_seeds:
        assert desk.get(change_url(issue)).status_code == 200
    for name in ["article", "brief", "section", "correction"]:
        assert desk.get(reverse(f"admin:issues_{name}_changelist")).status_code == 200


def test_the_issue_pages_pieces_are_read_only_and_open_their_own_pages(desk, published_issue, submitter, editor):
    """Order, title, section and removal are the desk's and the piece page's (through `services`), not inline edits
    that would skip a section's run, a correction's piece or a removed piece's report."""
    draft = make_draft()
    section = Section.objects.get(name="要闻速递")
    first, second = (
        place_report(
            make_report(submitter, title, status=Report.Status.ACCEPTED, editor=editor),
            draft,
            as_brief=False,
            section=section,
        )
        for title in ("第一篇", "第二篇")
    )
    text = desk.get(change_url(draft)).text
    for article in (first, second):
        assert f'href="{reverse("admin:issues_article_change", args=[article.pk])}">{article.title}</a>' in text
    assert 'name="articles-0-title"' not in text and 'name="articles-0-DELETE"' not in text
    data = issue_form_data(draft, articles=[(first, 2), (second, 1)]) | {
        "articles-0-title": "改过的标题",
        "articles-1-DELETE": "on",
    }
    assert desk.post(change_url(draft), data).status_code == 302
    assert list(draft.piece_set.articles().order_by("position").values_list("title", "position")) == [
        ("第一篇", 1),
        ("第二篇", 2),
    ]


def test_publishing_from_the_issue_page(desk, published_issue, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, status=Report.Status.ACCEPTED, editor=editor)
    place_report(report, draft, as_brief=True)
    response = desk.post(reverse("admin:issues_issue_publish", args=[draft.pk]), follow=True)
    assert "已发布：2024年第5期（总第693期）" in response.text
    draft.refresh_from_db()
    assert draft.is_published
    response = desk.post(reverse("admin:issues_issue_publish", args=[draft.pk]), follow=True)
    assert "已经发布" in response.text


def test_publishing_needs_a_post(desk, published_issue):
    assert desk.get(reverse("admin:issues_issue_publish", args=[make_draft().pk])).status_code == 403


def test_sign_off_is_shown_when_enabled_and_recorded(settings, client, desk, published_issue, approver, editor):
    settings.SIGN_OFF_REQUIRED = True
    draft = make_draft()
    Article.objects.create(issue=draft, title="研究室文章", body="<p>正文</p>", unit=editor.profile.unit, position=1)
    assert "待签发" in desk.get(change_url(draft)).text
    response = desk.post(reverse("admin:issues_issue_publish", args=[draft.pk]), follow=True)
    assert "尚未签发" in response.text
    client.force_login(approver)
    response = client.post(reverse("admin:issues_issue_sign_off", args=[draft.pk]), follow=True)
    assert "已签发" in response.text
    draft.refresh_from_db()
    assert draft.approved_by == approver


def test_changing_a_published_issue_needs_a_correction_note_and_records_it(desk, published_issue, editor):
    articles = list(published_issue.piece_set.articles().order_by("position"))
    data = issue_form_data(published_issue, articles=[(a, a.position) for a in articles])
    data["responsible_editor"] = "新编辑"
    response = desk.post(change_url(published_issue), data)
    assert response.status_code == 200 and "这个字段是必填项" in response.text
    assert Issue.objects.get(pk=published_issue.pk).responsible_editor != "新编辑"
    response = desk.post(change_url(published_issue), data | {"correction_note": "更正责任编辑"})
    assert response.status_code == 302
    correction = Correction.objects.get(issue=published_issue)
    assert (correction.made_by, correction.note) == (editor, "更正责任编辑")
    assert "本期责任编辑" in correction.changes


def test_editing_a_piece_of_a_published_issue_is_a_correction(desk, published_issue, editor):
    article = published_issue.piece_set.articles().order_by("position").first()
    url = reverse("admin:issues_article_change", args=[article.pk])
    data = {"section": article.section_id, "title": "更正后的标题", "body": article.body, "unit": article.unit_id}
    data["authors"] = article.authors
    assert "更正说明" in desk.post(url, data).text
    assert desk.post(url, data | {"correction_note": "标题错字"}).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "更正后的标题"
    correction = published_issue.corrections.get()
    assert correction.note == "标题错字" and "标题" in correction.changes
    assert desk.get(reverse("admin:issues_article_delete", args=[article.pk])).status_code == 403
    assert desk.get(reverse("admin:issues_issue_delete", args=[published_issue.pk])).status_code == 403


def test_the_editor_writes_a_piece_directly(desk, published_issue, editor):
    draft = make_draft(date=datetime.date(2024, 6, 1))
    unit = editor.profile.unit
    url = reverse("admin:issues_article_add") + f"?issue={draft.pk}"
    assert f'value="{draft.pk}"' in desk.get(url).text
    body = '<p onclick="x()">正文</p><script>x()</script>'
    data = {"issue": draft.pk, "title": "研究室的文章", "body": body, "unit": unit.pk, "authors": "王五"}
    assert desk.post(reverse("admin:issues_article_add"), data).status_code == 302
    article = draft.piece_set.articles().get()
    assert (article.title, article.report, article.position) == ("研究室的文章", None, 1)
    assert article.body == "<p>正文</p>"  # sanitised on save


def test_articles_are_placed_so_that_sections_stay_together_in_their_usual_order(published_issue, submitter, editor):
    draft = make_draft()

    def place(title, section_name):
        report = make_report(submitter, title, status=Report.Status.ACCEPTED, editor=editor)
        return place_report(report, draft, as_brief=False, section=Section.objects.get(name=section_name))

    place("监督一", "监督纵横")
    place("要闻一", "要闻速递")  # 要闻速递 usually comes first
    place("监督二", "监督纵横")  # after the other 监督纵横 article
    place("交流一", "情况交流")  # at the end
    assert list(draft.piece_set.articles().order_by("position").values_list("title", "position")) == [
        ("要闻一", 1),
        ("监督一", 2),
        ("监督二", 3),
        ("交流一", 4),
    ]
    assert [s.name for s, _ in draft.sections_with_articles()] == ["要闻速递", "监督纵横", "情况交流"]


def test_a_change_after_sign_off_needs_a_new_sign_off(settings, desk, published_issue, approver, editor):
    from issues.services import sign_off

    settings.SIGN_OFF_REQUIRED = True
    draft = make_draft()
    article = Article.objects.create(
        issue=draft, title="原题", body="<p>正文</p>", unit=editor.profile.unit, position=1
    )
    sign_off(draft, by=approver)
    data = issue_form_data(draft, articles=[(article, 1)], responsible_editor="新编辑")
    response = desk.post(change_url(draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.approved_by, draft.approved_at) == (None, None)


def test_the_year_must_match_the_date(desk, published_issue):
    draft = make_draft()
    response = desk.post(change_url(draft), issue_form_data(draft, year=2023))
    assert "年份与出刊日期不一致" in response.text
    assert Issue.objects.get(pk=draft.pk).year == 2024


def test_history_of_issues_and_pieces_is_kept_and_viewable(desk, published_issue, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, "有历史的信息", status=Report.Status.ACCEPTED, editor=editor)
    article = place_report(report, draft, as_brief=False, section=Section.objects.first())
    article.title = "改过的标题"
    article.save()
    assert [h.title for h in article.history.order_by("history_date")] == ["有历史的信息", "改过的标题"]
    for name, obj in [("article", article), ("issue", draft), ("report", report)]:
        app = "reports" if name == "report" else "issues"
        response = desk.get(reverse(f"admin:{app}_{name}_history", args=[obj.pk]))
        assert response.status_code == 200
    assert "改过的标题" in desk.get(reverse("admin:issues_article_history", args=[article.pk])).text


def test_the_issue_page_query_count_does_not_grow_with_pieces(desk, published_issue, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_draft()
    big = make_draft()
    unit = editor.profile.unit
    sections = list(Section.objects.all())
    for issue, n in ((small, 2), (big, 12)):
        for i in range(n):
            Article.objects.create(
                issue=issue, title=f"文{i}", body="<p>x</p>", unit=unit, position=i + 1, section=sections[i % 5]
            )
    desk.get(change_url(small))  # warm up the per-process caches (content types, session)
    counts = []
    for issue in (small, big):
        with CaptureQueriesContext(connection) as queries:
            text = desk.get(change_url(issue)).text
        counts.append(len(queries))
        for article in issue.piece_set.all():  # every row is shown, with its section
            assert f'{reverse("admin:issues_article_change", args=[article.pk])}">{article.title}</a>' in text
        section = f'{reverse("admin:issues_section_change", args=[sections[1].pk])}">{sections[1].name}</a>'
        assert text.count(section) == (1 if issue is small else 3)
    assert counts[1] == counts[0]


def test_a_brief_written_at_the_desk_keeps_its_lead_and_its_bold(desk, published_issue, editor):
    draft = make_draft()
    unit = editor.profile.unit
    data = {"issue": draft.pk, "lead": "", "body": "<p>组织开展<strong>专题</strong>调研。</p>", "unit": unit.pk}
    assert desk.post(reverse("admin:issues_brief_add"), data).status_code == 302
    brief = draft.piece_set.briefs().get()
    assert brief.printed_body == "<p><strong>市人大常委会</strong>组织开展<strong>专题</strong>调研。</p>"
    data |= {"lead": "市人大常委会研究室", "body": "<p>开展立法调研&amp;座谈。</p>"}
    desk.post(reverse("admin:issues_brief_change", args=[brief.pk]), data)
    brief.refresh_from_db()
    assert brief.printed_body == "<p><strong>市人大常委会研究室</strong>开展立法调研&amp;座谈。</p>"  # not rewritten


def test_a_piece_cannot_be_added_to_a_published_issue(desk, published_issue, editor):
    data = {"issue": published_issue.pk, "title": "迟到的文章", "body": "<p>正文</p>", "unit": editor.profile.unit.pk}
    response = desk.post(reverse("admin:issues_article_add"), data)
    assert "已发布的刊物不能再加入文章或摘登" in response.text
    assert not published_issue.piece_set.articles().filter(title="迟到的文章").exists()


def test_a_pieces_issue_cannot_be_changed_on_its_page(desk, published_issue, editor):
    """Moving a piece to another issue is 移出 then 编入 at the desk: its page shows the issue, read-only."""
    first, second = make_draft(), make_draft(date=datetime.date(2024, 5, 20))
    unit = editor.profile.unit
    article = Article.objects.create(issue=first, title="甲", body="<p>正文</p>", unit=unit, position=1)
    Article.objects.create(issue=second, title="乙", body="<p>正文</p>", unit=unit, position=1)
    url = reverse("admin:issues_article_change", args=[article.pk])
    assert 'name="issue"' not in desk.get(url).text
    data = {"issue": second.pk, "title": "甲", "body": "<p>正文</p>", "unit": unit.pk, "authors": ""}
    assert desk.post(url, data).status_code == 302
    article.refresh_from_db()
    assert (article.issue, article.position) == (first, 1)
    assert 'name="issue"' in desk.get(reverse("admin:issues_article_add")).text  # a new piece chooses its issue


def test_saving_a_published_issue_or_piece_unchanged_needs_no_note_and_records_nothing(desk, published_issue):
    version = published_issue.content_version
    articles = list(published_issue.piece_set.articles().order_by("position"))
    data = issue_form_data(published_issue, articles=[(a, a.position) for a in articles])
    assert desk.post(change_url(published_issue), data).status_code == 302
    article = articles[0]
    url = reverse("admin:issues_article_change", args=[article.pk])
    data = {"section": article.section_id, "title": article.title, "body": article.body, "unit": article.unit_id}
    assert desk.post(url, data | {"authors": article.authors}).status_code == 302
    assert not Correction.objects.exists()
    published_issue.refresh_from_db()
    assert published_issue.content_version == version  # no new PDF either


def test_deleting_a_drafts_piece_on_its_page_gives_the_report_back_with_the_edited_text(desk, submitter, editor):
    draft = make_draft()
    report = make_report(submitter, "原题", status=Report.Status.ACCEPTED, editor=editor)
    article = place_report(report, draft, as_brief=False, title="编辑改过的标题")
    response = desk.post(reverse("admin:issues_article_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not draft.piece_set.exists()
    report.refresh_from_db()
    assert (report.title, report.piece) == ("编辑改过的标题", None)
