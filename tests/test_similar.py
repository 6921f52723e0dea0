"""Near-duplicate detection on real text from the sample issues: reports, printed pieces, the desk, the command."""

import datetime
import io
import json
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from issues import similar
from issues.models import Article, TextFingerprint
from reports.models import Report
from tests.conftest import SEED_REGULAR_2, import_seed
from tests.portal import make_report


def paragraphs(article: Article) -> list[str]:
    from reports.wording import text_lines

    return text_lines(article.body)


def reworked(article: Article) -> str:
    """The article's text with its paragraphs reordered and one sentence changed, as HTML."""
    lines = paragraphs(article)
    random.Random(4).shuffle(lines)
    first = lines[0]
    cut = first.find("。")
    lines[0] = "会议强调，要进一步发挥人大代表作用，把好事办实、实事办好。" + (first[cut + 1 :] if cut > 0 else first)
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


@pytest.fixture
def pair(published_issue):
    """Two articles of the same section in the sample issue 2024年第4期."""
    for article in published_issue.piece_set.articles().select_related("section").order_by("position"):
        others = published_issue.piece_set.articles().filter(section=article.section).exclude(pk=article.pk)
        if article.section and others.exists():
            return article, others.first()
    pytest.fail("the sample issue has no section with two articles")


def test_reworked_seed_article_is_found_and_unrelated_article_of_its_section_is_not(pair):
    article, neighbour = pair
    found = similar.find_similar("", reworked(article))
    assert found and (found[0].kind, found[0].id) == ("article", article.pk)
    assert found[0].similarity >= 0.7
    assert ("article", neighbour.pk) not in {(item.kind, item.id) for item in found}
    # and the neighbour's own text finds the neighbour, not the first article
    found = similar.find_similar(neighbour.title, neighbour.body)
    assert [(item.kind, item.id) for item in found] == [("article", neighbour.pk)]


def test_every_sample_piece_finds_itself_and_nothing_else(all_seeds):
    for issue in all_seeds:
        for article in issue.piece_set.articles().all():
            found = similar.find_similar(article.title, reworked(article))
            assert [(item.kind, item.id) for item in found] == [("article", article.pk)], article.title


def test_pieces_of_draft_issues_are_not_listed(db):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    article = draft.piece_set.articles().first()
    assert similar.find_similar(article.title, article.body) == []


def test_reports_of_any_unit_within_twelve_months(pair, submitter, other_submitter):
    article, _ = pair
    old = make_report(other_submitter, title="西湖区：旧稿", body=article.body, status="submitted")
    mine = make_report(submitter, title="上城区：新稿", body=reworked(article), status="submitted")
    found = similar.similar_to_report(mine)
    kinds = [(item.kind, item.id) for item in found]
    assert ("report", old.pk) in kinds and ("article", article.pk) in kinds and ("report", mine.pk) not in kinds
    assert next(item for item in found if item.kind == "report").where == "西湖区人大常委会办公室"
    TextFingerprint.objects.filter(kind="report", object_id=old.pk).update(
        at=timezone.now() - datetime.timedelta(days=366)
    )
    assert ("report", old.pk) not in [(item.kind, item.id) for item in similar.similar_to_report(mine)]


def test_drafts_are_not_indexed_and_a_report_is_not_similar_to_its_own_piece(pair, submitter):
    article, _ = pair
    draft = make_report(submitter, body=article.body)
    assert not TextFingerprint.objects.filter(kind="report", object_id=draft.pk).exists()
    article.report = make_report(submitter, body=article.body, status="accepted")
    article.save()
    assert ("article", article.pk) not in [(i.kind, i.id) for i in similar.similar_to_report(article.report)]


def test_a_printed_report_is_listed_once_as_its_piece(client, pair, submitter, editor):
    """The piece printed from a report and the report itself are one text: listed once, as the piece, on the
    editor's report page and on the unit's (whose own report it is)."""
    article, _ = pair
    article.report = make_report(submitter, title="上城区：已刊原稿", body=article.body, status="accepted")
    article.save()
    client.force_login(submitter)
    response = client.post(
        reverse("reports:new"),
        {"title": "上城区：新稿", "body": reworked(article), "action": "submit", "secrecy_declared": "on"},
        follow=True,
    )
    new = Report.objects.get(title="上城区：新稿")
    assert [(item.kind, item.id) for item in similar.similar_to_report(new)] == [("article", article.pk)]
    assert "相似稿件：1 篇" in response.text and "上城区：已刊原稿" not in response.text
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[new.pk])).text
    assert "相似稿件：1 篇" in page and article.title in page and "上城区：已刊原稿" not in page


def test_editor_sees_similar_on_the_report_page(client, pair, submitter, other_submitter, editor):
    article, _ = pair
    make_report(other_submitter, title="西湖区：同一会议", body=article.body, status="submitted")
    report = make_report(submitter, body=reworked(article), status="submitted")
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert 'id="similar"' in page and "西湖区：同一会议" in page and article.title in page and "相似度" in page


def test_unit_sees_printed_pieces_and_its_own_reports_only(client, pair, submitter, other_submitter):
    article, _ = pair
    theirs = make_report(other_submitter, title="西湖区：别人的稿", body=article.body, status="submitted")
    client.force_login(submitter)
    response = client.post(
        reverse("reports:new"),
        {"title": "上城区：新稿", "body": reworked(article), "action": "submit", "secrecy_declared": "on"},
        follow=True,
    )
    assert Report.objects.get(title="上城区：新稿").status == Report.Status.SUBMITTED
    assert "相似稿件" in response.text and article.title in response.text
    assert theirs.title not in response.text


def test_find_similar_command_prints_what_the_desk_lists(pair, submitter, tmp_path):
    article, _ = pair
    report = make_report(submitter, title="上城区：旧稿", body=article.body, status="submitted")
    text = tmp_path / "report.txt"
    text.write_text(article.title + "\n" + "\n".join(reversed(paragraphs(article))), encoding="utf-8")
    out = io.StringIO()
    call_command("find_similar", str(text), "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {(row["kind"], row["id"]) for row in rows} == {("article", article.pk), ("report", report.pk)}
    assert all(set(row) == {"kind", "id", "title", "similarity"} for row in rows)
    assert [row["similarity"] for row in rows] == sorted((row["similarity"] for row in rows), reverse=True)
    assert all(row["similarity"] >= similar.THRESHOLD for row in rows)
    desk = similar.find_similar(article.title, "".join(f"<p>{p}</p>" for p in reversed(paragraphs(article))))
    assert rows == [item.as_dict() for item in desk]


def test_rebuild_indexes_everything_again(pair, submitter):
    article, _ = pair
    make_report(submitter, body=article.body, status="submitted")
    before = set(TextFingerprint.objects.values_list("kind", "object_id"))
    call_command("index_similar", stdout=io.StringIO())
    assert set(TextFingerprint.objects.values_list("kind", "object_id")) == before


def test_a_reports_fingerprint_is_dated_when_it_was_first_sent_however_it_was_indexed(pair, submitter):
    """Saving and rebuilding date a report alike, so the 12-month window does not move with `index_similar`."""
    article, _ = pair
    report = make_report(submitter, body=article.body, status="submitted")
    sent = timezone.now() - datetime.timedelta(days=200)
    Report.objects.filter(pk=report.pk).update(submitted_at=sent)
    report.refresh_from_db()
    similar.index_report(report)
    assert TextFingerprint.objects.get(kind="report", object_id=report.pk).at == sent
    call_command("index_similar", stdout=io.StringIO())
    assert TextFingerprint.objects.get(kind="report", object_id=report.pk).at == sent
    unsent = make_report(submitter, body=article.body)
    similar.index_report(unsent)
    assert TextFingerprint.objects.get(kind="report", object_id=unsent.pk).at == unsent.created_at
