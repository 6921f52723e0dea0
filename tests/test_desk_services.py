"""The desk's rules, called as the desk page, the admin and the commands call them: no admin involved."""

import pytest

from issues import leads, services
from issues.models import Correction, Issue, Piece, Section
from reports.models import Contributor, Report
from tests.conftest import SEED_REGULAR_2, import_seed
from tests.desk import make_draft, make_report

pytestmark = pytest.mark.django_db

S = Report.Status


def accepted(submitter, editor, title="上城区：一篇信息", body=None, **fields):
    return make_report(submitter, title, status=S.ACCEPTED, editor=editor, body=body, **fields)


def test_a_brief_opens_with_the_districts_committee_not_the_submitting_office(submitter, editor):
    report = accepted(
        submitter,
        editor,
        "上城区：湖滨街道开展代表履职月活动",
        body="<p>11月以来，上城区湖滨街道人大工委组织代表开展履职月活动。</p><p>一是……</p>",
    )
    brief = services.place_report(report, make_draft(), as_brief=True)
    assert brief.printed_body == (
        "<p><strong>上城区人大常委会</strong>11月以来，上城区湖滨街道人大工委组织代表开展履职月活动。</p>"
    )
    assert "<strong>上城区人大常委会办公室</strong>" not in brief.printed_body
    assert brief.attribution == "(上城区人大常委会办公室 张三 李四)"


def test_a_brief_opens_with_the_body_its_first_sentence_names(submitter, editor):
    report = accepted(submitter, editor, body="<p>上城区湖滨街道人大工委组织代表开展<strong>履职月</strong>活动。</p>")
    brief = services.place_report(report, make_draft(), as_brief=True)
    assert (brief.lead, brief.body) == ("上城区湖滨街道人大工委", "<p>组织代表开展<strong>履职月</strong>活动。</p>")
    assert brief.printed_body.startswith("<p><strong>上城区湖滨街道人大工委</strong>组织代表")


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("拱墅区人大常委会积极探索将全过程人民民主理念融入", "拱墅区人大常委会"),
        ("上城区人大常委会清波街道工委突出“早、实、精”", "上城区人大常委会清波街道工委"),
        ("市人大常委会充分发挥杭州“全球数贸会+自贸试验区”", "市人大常委会"),
        ("上城区湖滨街道人大工委组织代表", "上城区湖滨街道人大工委"),
        ("临安区人大常委会围绕公共服务优质共享和区域均衡发展", "临安区人大常委会"),
        ("市人大常委会组织各工委开展调研", "市人大常委会"),
        ("11月以来，上城区湖滨街道人大工委", ""),
    ],
)
def test_the_body_a_sentence_starts_with(text, lead):
    assert leads.body_named_at_start(text) == lead


def test_imported_briefs_keep_their_printed_lead(published_issue):
    first, *_ = published_issue.piece_set.briefs().order_by("position")
    assert first.lead == "拱墅区人大常委会" and first.body.startswith("<p>积极探索")
    assert first.attribution.startswith("(拱墅区人大常委会办公室")  # the attribution still names the office
    # A brief printed with its bold elsewhere keeps its text whole, the bold included.
    yuhang = import_seed(SEED_REGULAR_2).piece_set.briefs().get(unit__name="余杭区人大常委会办公室")
    assert yuhang.lead == "" and "<strong>余杭区人大常委会</strong>" in yuhang.printed_body


def test_editing_a_brief_keeps_its_lead_and_the_bold_in_its_text(submitter, editor):
    brief = services.place_report(accepted(submitter, editor), make_draft(), as_brief=True)
    services.edit_piece(brief, by=editor, lead="上城区湖滨街道人大工委", body="组织<strong>代表</strong>走访。")
    brief.refresh_from_db()
    assert brief.printed_body == "<p><strong>上城区湖滨街道人大工委</strong>组织<strong>代表</strong>走访。</p>"


def test_a_new_piece_takes_its_place_with_its_section(submitter, editor):
    draft = make_draft()
    news, supervision = Section.objects.get(name="要闻速递"), Section.objects.get(name="监督纵横")
    late = services.place_report(accepted(submitter, editor, "甲"), draft, as_brief=False, section=supervision)
    early = services.place_report(accepted(submitter, editor, "乙"), draft, as_brief=False, section=news)
    late.refresh_from_db()
    assert (early.position, late.position) == (1, 2)  # 要闻速递 usually comes first
    piece = Piece(issue=draft, kind=Piece.Kind.ARTICLE, title="研究室文章", body="<p>x</p>", unit=editor.profile.unit)
    services.save_piece(piece, by=editor)
    assert piece.position == 3


def test_editing_a_signed_off_draft_withdraws_the_sign_off(submitter, editor, approver):
    draft = make_draft()
    article = services.place_report(accepted(submitter, editor), draft, as_brief=False)
    services.sign_off(draft, by=approver)
    services.edit_piece(article, by=editor, title="新标题")
    draft.refresh_from_db()
    assert draft.approved_at is None


def test_editing_a_published_piece_is_a_correction_with_its_reason(submitter, editor, published_issue):
    article = published_issue.piece_set.articles().first()
    with pytest.raises(services.DeskError, match="更正说明"):
        services.edit_piece(article, by=editor, title="改过的标题")
    assert Piece.objects.get(pk=article.pk).title != "改过的标题"
    services.edit_piece(article, by=editor, title="改过的标题", note="标题错字")
    correction = Correction.objects.get(issue=published_issue)
    assert correction.note == "标题错字" and "标题" in correction.changes


def test_a_removed_piece_returns_its_report_to_the_unplaced(submitter, editor):
    draft = make_draft()
    report = accepted(submitter, editor)
    article = services.place_report(report, draft, as_brief=False)
    services.edit_piece(article, by=editor, title="编辑改过的标题")
    services.remove_piece(article, by=editor)
    report.refresh_from_db()
    assert Report.objects.filter(Report.UNPLACED, pk=report.pk, status=S.ACCEPTED).exists()
    assert report.title == "编辑改过的标题"  # the editor's work goes back with it
    assert not draft.piece_set.exists()


def test_placing_several_reports_at_once(submitter, editor):
    draft = make_draft()
    section = Section.objects.get(name="代表工作")
    reports = [accepted(submitter, editor, f"第{n}篇", suggested_section=section) for n in range(3)]
    declined = make_report(submitter, "未采用的", status=S.DECLINED, editor=editor)
    result = services.place_reports([*reports, declined], draft, as_brief=False)
    assert [p.section for p in result.pieces] == [section] * 3
    assert len(result.refused) == 1 and "未采用的" in result.refused[0]


def test_arranging_moves_an_article_into_the_section_it_was_dropped_in(submitter, editor):
    draft = make_draft()
    news, supervision = Section.objects.get(name="要闻速递"), Section.objects.get(name="监督纵横")
    a = services.place_report(accepted(submitter, editor, "甲"), draft, as_brief=False, section=news)
    b = services.place_report(accepted(submitter, editor, "乙"), draft, as_brief=False, section=supervision)
    c = services.place_report(accepted(submitter, editor, "丙"), draft, as_brief=False, section=supervision)
    moved = services.arrange(draft, [(supervision.pk, [c.pk, b.pk, a.pk])])
    assert moved == ["《甲》改入栏目“监督纵横”"]
    rows = list(draft.piece_set.articles().order_by("position").values_list("title", "section__name"))
    assert rows == [("丙", "监督纵横"), ("乙", "监督纵横"), ("甲", "监督纵横")]
    with pytest.raises(services.DeskError, match="刷新"):
        services.arrange(draft, [(supervision.pk, [c.pk, b.pk])])  # a stale page: one article missing


def test_arranging_refuses_a_section_split_in_two(submitter, editor):
    draft = make_draft()
    news, supervision = Section.objects.get(name="要闻速递"), Section.objects.get(name="监督纵横")
    a = services.place_report(accepted(submitter, editor, "甲"), draft, as_brief=False, section=news)
    b = services.place_report(accepted(submitter, editor, "乙"), draft, as_brief=False, section=supervision)
    c = services.place_report(accepted(submitter, editor, "丙"), draft, as_brief=False, section=news)
    with pytest.raises(services.DeskError, match="排在一起"):
        services.arrange(draft, [(news.pk, [a.pk]), (supervision.pk, [b.pk]), (news.pk, [c.pk])])


def test_moving_a_piece_up_and_down(submitter, editor):
    draft = make_draft()
    news, supervision = Section.objects.get(name="要闻速递"), Section.objects.get(name="监督纵横")
    a = services.place_report(accepted(submitter, editor, "甲"), draft, as_brief=False, section=news)
    b = services.place_report(accepted(submitter, editor, "乙"), draft, as_brief=False, section=supervision)
    services.move(b, -1)  # the first of its section: the whole section goes up
    assert [p.title for p in Issue.objects.get(pk=draft.pk).articles()] == ["乙", "甲"]
    services.move(b, +1)
    assert [p.title for p in Issue.objects.get(pk=draft.pk).articles()] == ["甲", "乙"]
    assert a.pk


def test_updating_the_issue_from_the_desk(editor, published_issue):
    draft = make_draft()
    services.update_issue(draft, by=editor, responsible_editor="王五", phone="87654321")
    draft.refresh_from_db()
    assert (draft.responsible_editor, draft.phone) == ("王五", "87654321")
    with pytest.raises(services.DeskError):
        services.update_issue(published_issue, by=editor, number=99, note="改期号")


def test_the_admins_piece_save_and_the_desk_use_the_same_service(submitter, editor, client, monkeypatch):
    """The admin's save is `save_piece`: a brief written there without a lead gets the committee's."""
    calls = []
    save_piece = services.save_piece
    monkeypatch.setattr(services, "save_piece", lambda piece, **kw: calls.append(kw["by"]) or save_piece(piece, **kw))
    client.force_login(editor)
    draft = make_draft()
    unit = Contributor.objects.get(name="上城区人大常委会办公室")
    client.post(
        "/admin/issues/brief/add/", {"issue": draft.pk, "lead": "", "body": "<p>开展调研。</p>", "unit": unit.pk}
    )
    assert draft.piece_set.briefs().get().lead == "上城区人大常委会"
    assert calls == [editor]


def test_a_new_issue_copies_the_colophon_of_the_last_issue_of_its_kind(db):
    import datetime

    regular = make_draft(date=datetime.date(2024, 5, 1), send_to="普刊的送", responsible_editor="甲")
    make_draft(Issue.Kind.SPECIAL, date=datetime.date(2024, 6, 1), send_to="专刊的送", responsible_editor="乙")
    assert Issue.proposal(Issue.Kind.REGULAR, datetime.date(2024, 7, 1))["send_to"] == "普刊的送"
    assert Issue.proposal(Issue.Kind.SPECIAL, datetime.date(2024, 7, 1))["send_to"] == "专刊的送"
    regular.delete()
    assert Issue.proposal(Issue.Kind.REGULAR, datetime.date(2024, 7, 1))["responsible_editor"] == "乙"  # any kind


def test_view_on_site_of_a_draft_is_its_preview_and_the_proposal_help_goes_once_published(
    client, editor, published_issue
):
    client.force_login(editor)
    draft = make_draft()
    text = client.get(f"/admin/issues/issue/{draft.pk}/change/").text
    assert f'href="/preview/issues/{draft.pk}/"' in text and "期号为建议值" in text
    assert client.get(f"/preview/issues/{draft.pk}/").status_code == 200
    text = client.get(f"/admin/issues/issue/{published_issue.pk}/change/").text
    assert published_issue.get_absolute_url() in text and "期号为建议值" not in text


def test_the_inbox_shows_what_changed_between_the_returned_and_the_resubmitted_version(client, editor, submitter):
    report = make_report(submitter, "上城区：初稿", body="<p>第一稿的正文。</p>")
    report.transition(S.RETURNED, by=editor, comment="请补充数据")
    report.title, report.body = "上城区：修改稿", "<p>第二稿的正文，补充了数据。</p>"
    report.save()
    report.transition(S.SUBMITTED, by=submitter, secrecy_declared=True)
    client.force_login(editor)
    text = client.get(f"/admin/reports/report/{report.pk}/change/").text
    assert f'href="/submit/{report.pk}/versions/1/"' in text and f'href="/submit/{report.pk}/versions/2/"' in text
    assert "退回的第 1 版" in text and "重新报送的第 2 版" in text
    assert "第一稿的正文" in text and "补充了数据" in text
    # Below it, the editor's own edits (none yet) are named as such, not as "nothing changed"
    assert "编辑的改动" in text and "编辑未改动报送稿：当前编辑稿与第 2 版报送稿一致" in text
    assert "与报送稿一致，未作修改" not in text


def test_a_pieces_url_names_its_kind(client, published_issue):
    article = published_issue.piece_set.articles().first()
    brief = published_issue.piece_set.briefs().first()
    assert client.get(f"/articles/{article.pk}/").status_code == 200
    assert client.get(f"/briefs/{brief.pk}/").status_code == 200
    assert client.get(f"/briefs/{article.pk}/").status_code == 404
    assert client.get(f"/articles/{brief.pk}/").status_code == 404
    assert "<strong>拱墅区人大常委会</strong>积极探索" in client.get(f"/briefs/{brief.pk}/").text


def test_a_piece_is_not_saved_into_another_issue(submitter, editor):
    first, second = make_draft(), make_draft()
    piece = services.place_report(accepted(submitter, editor), first, as_brief=False, section=Section.objects.first())
    piece.issue = second
    with pytest.raises(services.DeskError, match="移出后再编入"):
        services.save_piece(piece, by=editor, changes=["期"])
    assert Piece.objects.get(pk=piece.pk).issue == first


def test_reordering_keeps_fingerprints_and_costs_two_queries_per_moved_piece(editor, monkeypatch):
    """A drop saves positions only: the texts' fingerprints are not rebuilt and the preview's receiver does not
    read the issue again for each piece; the draft's preview is still rendered again (the order prints)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from issues import previews
    from issues.models import TextFingerprint

    draft = import_seed(SEED_REGULAR_2, draft=True)
    renders = []
    monkeypatch.setattr(previews, "request_render", renders.append)
    fingerprints = set(TextFingerprint.objects.values_list("pk", "object_id"))
    assert len(fingerprints) > 8
    before = dict(draft.piece_set.values_list("pk", "position"))
    groups = [(section_id, ids[::-1]) for section_id, ids in services._groups(draft)][::-1]
    briefs = list(draft.piece_set.briefs().order_by("-position").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        services.arrange(draft, groups, briefs)
    moved = sum(before[pk] != position for pk, position in draft.piece_set.values_list("pk", "position"))
    assert moved > 8
    assert len(queries) <= 6 + 2 * moved  # each moved piece: its UPDATE and its history row
    assert set(TextFingerprint.objects.values_list("pk", "object_id")) == fingerprints
    assert set(renders) == {draft.pk}  # the preview's render is asked for
