"""The issue PDF: layout read back with poppler, the stored file per version, the background task."""

import re
import subprocess
import threading
import time
import unicodedata

import pytest
from django.core.files.base import ContentFile
from django.tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from issues import pdf as issue_pdf
from issues.models import Issue
from issues.tasks import render_issue_pdf as render_task
from tests import pdftools


@pytest.fixture(autouse=True)
def _no_target_pages_known():
    """Each test starts as a process that has laid out no issue (issues/pdf.py keeps the 目录's pages per issue)."""
    issue_pdf._target_pages.clear()


@pytest.fixture
def issue_pdf_path(published_issue, tmp_path):
    path = tmp_path / "issue.pdf"
    path.write_bytes(issue_pdf.render_issue_pdf(published_issue))
    return path


def test_fonts_are_embedded_and_subset(issue_pdf_path):
    fonts = pdftools.pdffonts(issue_pdf_path)
    assert fonts
    assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    assert any("Noto-Serif-CJK-SC" in f["name"] for f in fonts)


def test_text_matches_the_issue_in_reading_order(published_issue, issue_pdf_path):
    text = re.sub(r"\s+", "", pdftools.pdftotext(issue_pdf_path, "-raw"))
    assert "杭州人大信息" in text and "第4期(总第692期)" in text and "杭州市人大常委会研究室编" in text
    positions = []
    for article in published_issue.piece_set.articles().order_by("position"):
        title = re.sub(r"\s+", "", article.title)
        body_start = re.sub(r"<[^>]+>|\s+", "", article.body)[:30]
        positions += [text.index(title, text.index("5则")), text.index(body_start)]
    for brief in published_issue.piece_set.briefs().order_by("position"):
        positions.append(text.index(re.sub(r"<[^>]+>|\s+", "", brief.body)[:30]))
    positions.append(text.index("本期责任编辑：杨青青"))
    assert positions == sorted(positions)
    assert "\ufffd" not in text


def test_pages_are_numbered_and_toc_has_page_numbers(issue_pdf_path):
    pages = pdftools.pdftotext(issue_pdf_path).split("\f")
    assert re.search(r"—\s*1\s*—", pages[0]) and re.search(r"—\s*2\s*—", pages[1])
    toc = re.sub(r"[\s.]+", "", pdftools.pdftotext(issue_pdf_path, "-raw", "-l", "2"))
    assert "数字贸易领域地方性法规2助力攻坚上城区：" in toc
    assert "信息摘登5则17" in toc


def test_right_edge_is_even_and_no_line_starts_with_closing_punctuation(issue_pdf_path):
    share, count = pdftools.right_edge_share(issue_pdf_path)
    assert count > 200
    assert share >= 0.95
    assert pdftools.lines_starting_with_closing_punctuation(issue_pdf_path) == []


def test_metadata(issue_pdf_path):
    import subprocess

    info = subprocess.run(["pdfinfo", str(issue_pdf_path)], capture_output=True, text=True, check=True).stdout
    assert "杭州人大信息" in info and "杭州市人大常委会研究室" in info
    assert "A4" in info


def test_bookmarks_list_sections_and_articles(published_issue):
    tree = issue_pdf.issue_document(published_issue).make_bookmark_tree()
    labels = [label for label, _destination, _children, _state in tree]
    assert labels[:2] == ["要闻速递", "助力攻坚"] and "信息摘登" in labels
    assert tree[1][2][0][0].startswith("上城区：")


def test_fetcher_serves_only_the_apps_own_files():
    fetcher = issue_pdf.AppURLFetcher()
    assert fetcher.fetch(issue_pdf.PDF_BASE_URL + "static/css/issue-pdf.css").read().startswith(b"/*")
    for url in ["file:///etc/passwd", "http://example.com/x.css", issue_pdf.PDF_BASE_URL + "static/../../etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_download_renders_stores_and_then_serves_the_stored_file(client, published_issue):
    response = client.get("/issues/2024/regular/4/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=utf-8''%E6%9D%AD%E5%B7%9E%E4%BA%BA%E5%A4%A7%E4%BF%A1%E6%81%AF2024" in response["Content-Disposition"]
    )
    first = b"".join(response.streaming_content)
    assert first.startswith(b"%PDF")
    published_issue.refresh_from_db()
    assert published_issue.has_current_pdf and published_issue.pdf_status == Issue.PdfStatus.DONE
    # Served from storage the second time: a marker in the stored file comes back.
    published_issue.pdf.save(published_issue.pdf.name.split("/")[-1], ContentFile(b"%PDF-stored"), save=True)
    again = client.get("/issues/2024/regular/4/pdf/")
    assert b"".join(again.streaming_content) == b"%PDF-stored"


def test_mark_changed_queues_a_render_of_the_new_version(published_issue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published_issue.mark_changed()
    published_issue.refresh_from_db()
    assert published_issue.content_version == 2
    assert published_issue.pdf_status == Issue.PdfStatus.PENDING
    assert default_task_backend.alias == "default"
    queued = DBTaskResult.objects.get(task_path="issues.tasks.render_issue_pdf")  # not the daily reminders
    assert queued.args_kwargs["args"] == [published_issue.pk, 2]


def test_task_renders_and_stores_the_version(published_issue):
    assert render_task.call(published_issue.pk, 1) == "done"
    published_issue.refresh_from_db()
    assert published_issue.pdf_version == 1 and published_issue.pdf.read().startswith(b"%PDF")
    assert render_task.call(published_issue.pk, 1) == "already stored"
    assert render_task.call(published_issue.pk, 7) == "stale"


def test_failed_render_is_recorded_and_keeps_the_good_file(published_issue, monkeypatch):
    render_task.call(published_issue.pk, 1)
    published_issue.refresh_from_db()
    good_name = published_issue.pdf.name
    Issue.objects.filter(pk=published_issue.pk).update(content_version=2)

    def broken(issue):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(issue_pdf, "render_issue_pdf", broken)
    with pytest.raises(RuntimeError, match="字体缺失"):  # so that the task is recorded as failed, not successful
        render_task.call(published_issue.pk, 2)
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.FAILED
    assert "字体缺失" in published_issue.pdf_error
    assert published_issue.pdf.name == good_name and published_issue.pdf_version == 1
    assert published_issue.pdf.storage.exists(good_name)


def test_download_serves_the_last_good_file_until_the_new_version_is_rendered(client, published_issue, monkeypatch):
    render_task.call(published_issue.pk, 1)
    published_issue.refresh_from_db()
    good = published_issue.pdf.read()
    Issue.objects.filter(pk=published_issue.pk).update(content_version=2, pdf_status=Issue.PdfStatus.FAILED)

    def broken(issue):
        raise AssertionError("a reader's download must not render when a file is stored")

    monkeypatch.setattr(issue_pdf, "render_issue_pdf", broken)
    response = client.get(published_issue.get_absolute_url() + "pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == good


def test_editor_sees_a_failed_render_and_queues_a_retry(
    client, editor, published_issue, django_capture_on_commit_callbacks
):
    Issue.objects.filter(pk=published_issue.pk).update(pdf_status=Issue.PdfStatus.FAILED, pdf_error="字体缺失")
    client.force_login(editor)
    page = client.get(f"/admin/issues/issue/{published_issue.pk}/change/").content.decode()
    assert "生成失败" in page and "字体缺失" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/issues/issue/{published_issue.pk}/render-pdf/")
    assert response.status_code == 302
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.PENDING
    assert DBTaskResult.objects.get(task_path="issues.tasks.render_issue_pdf").args_kwargs["args"] == [
        published_issue.pk,
        published_issue.content_version,
    ]


def test_the_desk_says_when_the_stored_pdf_is_of_an_older_version(client, editor, published_issue):
    render_task.call(published_issue.pk, 1)
    Issue.objects.filter(pk=published_issue.pk).update(content_version=2)
    client.force_login(editor)
    page = client.get(f"/admin/issues/issue/{published_issue.pk}/change/").content.decode()
    assert "存档 PDF：待更新" in page
    assert "待更新" in client.get("/admin/issues/issue/").content.decode()


def test_editor_previews_a_draft_pdf_uncached(client, editor, draft_issue):
    client.force_login(editor)
    response = client.get(f"/preview/issues/{draft_issue.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "no-cache" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("inline")
    draft_issue.refresh_from_db()
    assert not draft_issue.pdf


def test_colophon_sits_at_the_foot_of_the_last_page(issue_pdf_path):
    all_lines = pdftools.lines(issue_pdf_path)
    last_page = max(line.page for line in all_lines)
    editor = next(line for line in all_lines if "本期责任编辑" in line.text)
    assert editor.page == last_page
    type_area_bottom = (297 - 35) * pdftools.MM
    assert type_area_bottom - 30 < editor.y_max <= type_area_bottom + 2


def test_colophon_on_a_page_of_its_own_is_kept(published_issue, tmp_path):
    """When the pieces fill the last page, the colophon goes to a page of its own. WeasyPrint drops such a page
    when the 目录's page numbers make it repaginate (issues/pdf.py keeps it)."""
    brief = published_issue.piece_set.briefs().order_by("position").last()
    body = brief.body
    for extra in range(16):
        brief.body = body + "<p>补充内容。</p>" * extra
        brief.save(update_fields=["body"])
        issue = Issue.objects.get(pk=published_issue.pk)
        document = issue_pdf.issue_document(issue)
        if not document.pages[-1].anchors:
            break
    else:
        pytest.fail("no length of the last brief left the colophon alone on the last page (or that page was dropped)")
    last_page = tmp_path / "last.pdf"
    document.copy([document.pages[-1]]).write_pdf(last_page)
    text = pdftools.pdftotext(last_page)
    assert "本期责任编辑：杨青青" in text and "补充内容" not in text


@pytest.fixture
def pages_made(monkeypatch):
    """The page numbers WeasyPrint lays out, in order, repaginations included."""
    from weasyprint.layout import page as page_layout

    made = []
    make_page = page_layout.make_page

    def counting(context, root_box, page_type, resume_at, page_number, page_state):
        made.append(page_number)
        return make_page(context, root_box, page_type, resume_at, page_number, page_state)

    monkeypatch.setattr(page_layout, "make_page", counting)
    return made


def test_toc_page_numbers_cost_one_more_pass_over_the_toc_pages_only_the_first_time(published_issue, pages_made):
    document = issue_pdf.issue_document(published_issue)
    toc_pages = [number for number, page in enumerate(document.pages, start=1) if "toc-heading" in page.anchors]
    assert len(document.pages) == 18 and toc_pages == [1]
    assert pages_made == [*range(1, 19), 1, 2]  # the 目录 runs over onto page 2
    first = document.write_pdf()
    pages_made.clear()
    document = issue_pdf.issue_document(published_issue)  # as the stored PDF after the editor's previews
    assert pages_made == [*range(1, 19)]
    assert document.write_pdf() == first


def test_toc_pages_found_before_are_checked_and_corrected_when_pieces_move(published_issue, pages_made, tmp_path):
    issue_pdf.render_issue_pdf(published_issue)  # keeps where the targets were
    article = published_issue.piece_set.articles().order_by("position").first()
    article.body += "<p>新增的一段较长的内容，使后面的文章移到后面的页上。</p>" * 60
    article.save(update_fields=["body"])
    issue = Issue.objects.get(pk=published_issue.pk)
    pages_made.clear()
    moved = issue_pdf.render_issue_pdf(issue)
    assert pages_made[:18] == [*range(1, 19)] and pages_made[-2:] == [1, 2]  # the 目录 again, with the new pages
    issue_pdf._target_pages.clear()
    assert issue_pdf.render_issue_pdf(issue) == moved  # as laid out knowing nothing
    path = tmp_path / "moved.pdf"
    path.write_bytes(moved)
    toc = re.sub(r"[\s.]+", "", pdftools.pdftotext(path, "-raw", "-l", "2"))
    briefs_page = next(
        number
        for number, text in enumerate(pdftools.pdftotext(path).split("\f"), start=1)
        if "信息摘登" in text and number > 2
    )
    assert briefs_page > 17 and f"信息摘登5则{briefs_page}" in toc


TOC_RULES = {
    # WeasyPrint's usual 目录 idiom, the target read from the link
    "attr": 'nav a::after {{ content: leader(".") target-counter(attr(href), page); }}',
    # text-transform applies where content is first parsed only: such content keeps WeasyPrint's own passes
    "transformed": 'nav a[href="#s{n}"]::after {{ content: " p. " target-counter("#s{n}", page) " x"; '
    "text-transform: uppercase; }}",
}


@pytest.mark.parametrize("rule", TOC_RULES)
def test_other_tables_of_contents_get_the_pages_a_render_knowing_nothing_gives(published_issue, tmp_path, rule):
    def html(first_section_pages: int) -> str:
        css = "".join(TOC_RULES[rule].format(n=n) for n in (1, 2, 3))
        links = "".join(f'<p><a href="#s{n}">第{n}节</a></p>' for n in (1, 2, 3))
        sections = "".join(
            f'<section id="s{n}" style="break-before: page"><p>第{n}节。</p>'
            + '<p style="break-before: page">续。</p>' * (first_section_pages - 1 if n == 1 else 0)
            + "</section>"
            for n in (1, 2, 3)
        )
        return f"<html><head><style>{css}</style></head><body><nav>{links}</nav>{sections}</body></html>"

    def toc(data: bytes) -> str:
        path = tmp_path / "toc.pdf"
        path.write_bytes(data)
        return re.sub(r"[\s.]+", "", pdftools.pdftotext(path, "-l", "1"))

    issue_pdf._target_pages.clear()
    fresh = {pages: issue_pdf.render_issue_pdf(published_issue, html(pages)) for pages in (1, 3)}
    issue_pdf._target_pages.clear()
    for pages in (1, 1, 3, 3, 1):  # knowing nothing, the right pages, pages that moved on, and back
        assert issue_pdf.render_issue_pdf(published_issue, html(pages)) == fresh[pages], pages
    numbers = {1: (2, 3, 4), 3: (2, 5, 6)}
    for pages, data in fresh.items():
        for n, number in enumerate(numbers[pages], start=1):
            expected = f"第{n}节p{number}x" if rule == "transformed" else f"第{n}节{number}"
            assert expected in toc(data).lower(), (pages, n)


def test_wide_runs_follow_east_asian_width():
    text = "2024年第4期（总第692期）: 数字贸易 A股 𠀋𠀌 😀 ok。"
    expected = []
    for index, char in enumerate(text):
        if unicodedata.east_asian_width(char) in "WF":
            if expected and expected[-1][1] == index:
                expected[-1] = (expected[-1][0], index + 1)
            else:
                expected.append((index, index + 1))
    assert issue_pdf._wide_runs(text) == expected
    assert issue_pdf._wide_stretch_points("数字ab贸易") == 4 - 0.5 - 0.5
    assert issue_pdf._wide_stretch_points("ab") == 0


def test_each_toc_leader_is_one_run_of_dots_up_to_the_page_number(published_issue):
    from weasyprint.formatting_structure import boxes

    document = issue_pdf.issue_document(published_issue)
    leaders = []
    for page in document.pages[:2]:
        for line in page._page_box.descendants():
            if isinstance(line, boxes.LineBox):
                found = [box for box in line.descendants() if box.is_leader]
                if found:
                    leaders.append((line, found[0]))
    assert len(leaders) == published_issue.piece_set.articles().count() + 1  # and 信息摘登
    for line, leader in leaders:
        (run,) = leader.children
        assert set(run.text) == {"."}
        number = [box for box in line.descendants() if isinstance(box, boxes.TextBox)][-1]
        assert number.text.isdigit()
        dot = run.width / len(run.text)
        assert 0 <= number.position_x - (run.position_x + run.width) < dot


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<p>（一）“三端两聚”，促进站点功能更融合。着力把握……</p>",
            '<p><span class="subhead">（一）“三端两聚”，促进站点功能更融合。</span>着力把握……</p>',
        ),
        ("<p>（二）主要成效</p>", '<p><span class="subhead">（二）主要成效</span></p>'),
        ("<p>一是（一）不在段首。</p>", "<p>一是（一）不在段首。</p>"),
        ("<p>（三）" + "很长" * 40 + "。</p>", "<p>（三）" + "很长" * 40 + "。</p>"),
        ("<p>（四）<strong>加粗</strong>。</p>", "<p>（四）<strong>加粗</strong>。</p>"),
        (
            "<p>\u3000\u3000(五)“三个聚”助推医疗共享。”正文</p>",
            '<p>\u3000\u3000<span class="subhead">(五)“三个聚”助推医疗共享。”</span>正文</p>',
        ),
        (
            "<p><strong>（六）强化司法监督。</strong>正文</p>",
            '<p><span class="subhead"><strong>（六）强化司法监督。</strong></span>正文</p>',
        ),
        ("<p><strong>（七）标题。更多加粗</strong>正文</p>", "<p><strong>（七）标题。更多加粗</strong>正文</p>"),
        ("<p>（八）一是补短板；二是强弱项</p>", "<p>（八）一是补短板；二是强弱项</p>"),
    ],
)
def test_subheads_mark_the_lead_of_a_paragraph(body, expected):
    from issues.templatetags.issue_text import subheads

    assert subheads(body) == expected


def test_subheads_are_set_in_kai_in_the_pdf(db, tmp_path):
    from tests.conftest import SEED_REGULAR_4, SEED_SPECIAL_9, import_seed

    with_subheads, without = import_seed(SEED_SPECIAL_9), import_seed(SEED_REGULAR_4)
    fonts = {}
    for issue in (with_subheads, without):
        path = tmp_path / f"{issue.pk}.pdf"
        path.write_bytes(issue_pdf.render_issue_pdf(issue))
        fonts[issue] = [font["name"] for font in pdftools.pdffonts(path)]
    assert any("WenKai" in name for name in fonts[with_subheads]), fonts[with_subheads]
    assert not any("WenKai" in name for name in fonts[without])  # a kai font only where it is used


def test_fonts_are_subset_once_each_on_the_font_threads(published_issue, monkeypatch):
    import threading

    from weasyprint.pdf import fonts as pdf_fonts

    issue_pdf.patch_weasyprint()
    subset = pdf_fonts.Font._harfbuzz_subset
    calls = []

    def recording(self, to_unicode, hinting):
        calls.append((self.family, self.weight, threading.current_thread().name))
        return subset(self, to_unicode, hinting)

    monkeypatch.setattr(pdf_fonts.Font, "_harfbuzz_subset", recording)
    issue_pdf.render_issue_pdf(published_issue)
    fonts = [(family, weight) for family, weight, _thread in calls]
    assert len(fonts) == len(set(fonts)) == 2  # the body serif, and the heavy serif of masthead and titles
    assert all(thread.startswith("pdf_") for _family, _weight, thread in calls)


@pytest.mark.parametrize("enabled", [True, False])
def test_rendering_leaves_the_garbage_collector_as_it_found_it(published_issue, monkeypatch, enabled):
    import gc

    seen = []
    document = issue_pdf.issue_document

    def recording(issue, html=None):
        seen.append(gc.isenabled())
        return document(issue, html)

    monkeypatch.setattr(issue_pdf, "issue_document", recording)
    (gc.enable if enabled else gc.disable)()
    try:
        issue_pdf.render_issue_pdf(published_issue)
        assert gc.isenabled() is enabled and seen == [False]
    finally:
        gc.enable()


def test_patching_weasyprint_again_changes_nothing():
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    issue_pdf.patch_weasyprint()
    counted = inline.count_expandable_spaces
    issue_pdf.patch_weasyprint()
    assert inline.count_expandable_spaces is counted
    box = boxes.TextBox.__new__(boxes.TextBox)
    box.text = "数字贸易"
    assert counted(box) == 4 - 0.5 - 0.5  # each wide character is one stretch point, whoever patched first


def test_a_long_section_name_takes_the_lines_it_needs_in_the_toc(published_issue):
    from weasyprint.formatting_structure import boxes

    from issues.models import Section

    section = published_issue.piece_set.articles().get(title__startswith="临平区").section  # one entry, one line
    Section.objects.filter(pk=section.pk).update(name="人大代表履职风采展示")
    document = issue_pdf.issue_document(Issue.objects.get(pk=published_issue.pk))
    groups = [
        box
        for page in document.pages[:2]
        for box in page._page_box.descendants()
        if box.element_tag == "li" and "toc-group" in (box.element.get("class") or "")
    ]
    for group in groups:
        name = [
            box
            for box in group.descendants()
            if box.element_tag == "span" and "toc-section" in (box.element.get("class") or "")
        ]
        entries = next(box for box in group.descendants() if box.element_tag == "ul")
        for text in (t for box in name for t in box.descendants() if isinstance(t, boxes.TextBox)):
            assert text.position_x + text.width <= entries.position_x + 0.5, f"{text.text} runs into the entries"
            assert text.position_y + text.height <= group.position_y + group.height + 0.5, f"{text.text} runs on"


def test_underlined_text_in_a_justified_paragraph_is_drawn(published_issue, tmp_path):
    article = published_issue.piece_set.articles().order_by("position").first()
    article.body = article.body.replace("数字贸易", "<u>数字贸易</u>", 3)
    article.save(update_fields=["body"])
    path = tmp_path / "issue.pdf"
    path.write_bytes(issue_pdf.render_issue_pdf(Issue.objects.get(pk=published_issue.pk)))
    assert "全国首部数字贸易领域地方性法规" in pdftools.pdftotext(path).replace("\n", "")


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_process_renders_with_its_own_threads(published_issue):
    import os

    issue_pdf._pdf_threads().submit(int).result()  # the parent's pool exists
    holding, release = threading.Event(), threading.Event()

    def lay_out():  # as another thread of the parent does when it starts or ends laying out an issue
        with issue_pdf._target_pages_lock:
            holding.set()
            release.wait(timeout=30)

    other = threading.Thread(target=lay_out)
    other.start()
    holding.wait(timeout=10)
    child = os.fork()
    release.set()
    other.join()
    if child == 0:  # the child must never return into pytest
        status = 1
        try:
            status = 0 if issue_pdf._pdf_threads().submit(sum, [1, 2]).result(timeout=10) == 3 else 1
            with issue_pdf._target_pages_of(published_issue.pk):
                pass
        finally:
            os._exit(status)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(child, 9)
    pytest.fail("the forked process hung on the parent's threads")


def test_streams_are_deflated_once_and_read_back_whole():
    import zlib

    import pydyf

    document = pydyf.PDF()
    content = [b"BT /F1 16 Tf (x) Tj ET"] * 200
    stream = pydyf.Stream(list(content), compress=True)
    left_alone = pydyf.Stream([b"q", 1.5, b"Q"], compress=True)  # not all bytes: pydyf compresses it itself
    document.add_object(stream)
    document.add_object(left_alone)
    issue_pdf._deflate_streams(None, document)
    assert stream.compress is False and stream.extra["Filter"] == "/FlateDecode"
    assert zlib.decompress(stream.stream[0]) == b"\n".join(content)
    assert left_alone.compress is True and "Filter" not in left_alone.extra


def test_cheaply_resolved_lengths_are_those_weasyprint_would_resolve(published_issue, monkeypatch):
    import copy
    from collections import Counter

    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, inline, page, percent

    issue_pdf.patch_weasyprint()
    lengths = ["min_width", "max_width", "min_height", "max_height"]
    lengths += [f"{part}_{side}" for part in ("margin", "padding") for side in ("top", "right", "bottom", "left")]
    lengths += [f"border_{side}_width" for side in ("top", "right", "bottom", "left")]
    cheap_kinds = Counter()
    for module in (block, inline, page):
        assert module.resolve_percentages is not percent.resolve_percentages

        def checking(box, containing_block, cheap=module.resolve_percentages):
            expected = copy.copy(box)
            expected.style = box.style.copy()  # styles are shared: WeasyPrint's resolution must not fill this one
            cheap(box, containing_block)
            if "padding_left" not in box.style:  # resolved without reading the style's lengths
                cheap_kinds[type(box).__name__] += 1
            percent.resolve_percentages(expected, containing_block)
            empty_margin_box = isinstance(box, boxes.MarginBox) and not box.is_generated  # sized 0 by WeasyPrint after
            names = lengths if empty_margin_box else [*lengths, "width", "height"]
            assert {name: getattr(box, name) for name in names} == {name: getattr(expected, name) for name in names}

        monkeypatch.setattr(module, "resolve_percentages", checking)
    issue_pdf.render_issue_pdf(published_issue)
    assert cheap_kinds["TextBox"] > 300 and cheap_kinds["LineBox"] > 100


def test_a_line_broken_from_a_line_and_a_half_of_text_is_the_line_the_whole_text_gives(published_issue, monkeypatch):
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    issue_pdf.patch_weasyprint()
    shaped = {"patched": 0, "whole": 0}
    counting = "patched"
    create_layout = line_break.create_layout

    def counting_layout(text, *args, **kwargs):
        shaped[counting] += len(text)
        return create_layout(text, *args, **kwargs)

    def checking(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        nonlocal counting
        args = (text, style, context, max_width, justification_spacing, is_line_start, minimum)
        counting = "patched"
        layout, *result = patched(*args)
        line = layout.text
        counting = "whole"
        whole_layout, *whole = line_break.split_first_line(*args)
        assert (line, result) == (whole_layout.text, whole)
        return layout, *result

    patched = inline.split_first_line
    assert patched is not line_break.split_first_line
    monkeypatch.setattr(line_break, "create_layout", counting_layout)
    monkeypatch.setattr(inline, "split_first_line", checking)
    issue_pdf.render_issue_pdf(published_issue)
    assert shaped["patched"] < shaped["whole"] * 0.7, shaped


def test_a_font_subset_in_one_pass_keeps_the_glyph_ids_and_ends_at_the_last_glyph_used(published_issue, monkeypatch):
    import io

    from fontTools.ttLib import TTFont
    from weasyprint.pdf import fonts as pdf_fonts

    issue_pdf.patch_weasyprint()
    subset = pdf_fonts.Font._harfbuzz_subset.__wrapped__  # without the bare CFF, as for a font that is not CID-keyed
    fonts = []

    def recording(self, to_unicode, hinting):
        subset(self, to_unicode, hinting)
        fonts.append((TTFont(io.BytesIO(self.file_content)), to_unicode))

    monkeypatch.setattr(pdf_fonts.Font, "_harfbuzz_subset", recording)
    issue_pdf.render_issue_pdf(published_issue)
    assert len(fonts) == 2
    for font, to_unicode in fonts:
        assert font["maxp"].numGlyphs == max(to_unicode) + 1
        assert "GSUB" not in font and "GPOS" not in font
        charstrings = font["CFF "].cff.topDictIndex[0].CharStrings
        order = font.getGlyphOrder()
        outlined = {text: charstrings[order[glyph]].calcBounds(charstrings) for glyph, text in to_unicode.items()}
        assert all(outlined[text] for text in outlined if text.strip())  # every character but a space is drawn
        unused = next(glyph for glyph in range(1, max(to_unicode)) if glyph not in to_unicode)
        assert charstrings[order[unused]].calcBounds(charstrings) is None  # a glyph no text uses is emptied


def test_anonymous_boxes_skip_background_layout_and_get_what_weasyprint_would(published_issue, monkeypatch):
    import copy
    from collections import Counter

    from weasyprint.css import AnonymousStyle
    from weasyprint.layout import background

    issue_pdf.patch_weasyprint()
    cheap = background.layout_box_backgrounds
    original = cheap.__wrapped__
    assert original is not cheap
    corners = [f"border_{corner}_radius" for corner in ("top_left", "top_right", "bottom_right", "bottom_left")]
    skipped = Counter()

    def checking(page, box, get_image_from_uri, layout_children=True, style=None):
        expected = copy.copy(box)
        expected.style = box.style.copy()  # styles are shared: WeasyPrint's own pass must not fill this one
        anonymous = type(box.style) is AnonymousStyle and "background_color" not in box.style
        cheap(page, box, get_image_from_uri, layout_children, style)
        if anonymous and "background_color" not in box.style:  # laid out without reading the style
            skipped[type(box).__name__] += 1
        original(expected if box is page else page, expected, get_image_from_uri, False, style)
        names = ["background", *corners]
        assert {name: getattr(box, name) for name in names} == {name: getattr(expected, name) for name in names}

    monkeypatch.setattr(background, "layout_box_backgrounds", checking)
    issue_pdf.render_issue_pdf(published_issue)
    assert skipped["LineBox"] > 100 and skipped.total() > 300, skipped


def _recorded_subsets(issue, monkeypatch) -> tuple[bytes, list]:
    """The issue's PDF, and each font subset in it: (font, glyph ids used, the embedded font program)."""
    from weasyprint.pdf import fonts as pdf_fonts

    issue_pdf.patch_weasyprint()
    subset = pdf_fonts.Font._harfbuzz_subset
    fonts = []

    def recording(self, to_unicode, hinting):
        subset(self, to_unicode, hinting)
        fonts.append((self, set(to_unicode), self.file_content))

    monkeypatch.setattr(pdf_fonts.Font, "_harfbuzz_subset", recording)
    return issue_pdf.render_issue_pdf(issue), fonts


def test_cjk_fonts_are_bare_cff_with_the_glyphs_used_under_their_cids(published_issue, monkeypatch, tmp_path):
    import io

    from fontTools.cffLib import CFFFontSet

    data, fonts = _recorded_subsets(published_issue, monkeypatch)
    path = tmp_path / "issue.pdf"
    path.write_bytes(data)
    assert {font["type"] for font in pdftools.pdffonts(path)} == {"CID Type 0C"}  # bare CFF, not "(OT)"
    assert len(fonts) == 2
    for font, used, program in fonts:
        assert font.bare_cff and program[:1] == b"\x01"  # a CFF header, no OpenType tables around it
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program), None)
        top = cff.topDictIndex[0]
        cids = {int(name[3:]): name for name in top.charset if name.startswith("cid")}
        assert used - {0} <= set(cids)  # each glyph id the pages name is found as its CID
        assert len(top.charset) < len(used) * 1.2  # only what is used, not the ~65,000 glyphs of kept ids
        charstrings = top.CharStrings
        printed = [glyph for glyph in used - {0} if font.to_unicode[glyph].strip()]
        drawn = [charstrings[cids[glyph]].calcBounds(charstrings) for glyph in printed]
        assert drawn and all(drawn)
    assert len(data) < 300 * 1024  # 549 KB with kept ids


def test_pdfium_and_poppler_draw_the_bare_cff_fonts_as_the_fonts_with_kept_ids(published_issue, monkeypatch, tmp_path):
    """PDFium is the PDF reader in Chromium, poppler the one in most Linux desktops: both must find each glyph."""
    import pypdfium2
    from PIL import Image, ImageChops, ImageStat
    from weasyprint.pdf import fonts as pdf_fonts

    issue_pdf.patch_weasyprint()
    bare = tmp_path / "bare.pdf"
    bare.write_bytes(issue_pdf.render_issue_pdf(published_issue))
    monkeypatch.setattr(pdf_fonts.Font, "_harfbuzz_subset", pdf_fonts.Font._harfbuzz_subset.__wrapped__)
    kept = tmp_path / "kept.pdf"
    kept.write_bytes(issue_pdf.render_issue_pdf(published_issue))
    assert {font["type"] for font in pdftools.pdffonts(kept)} == {"CID Type 0C (OT)"}
    assert bare.stat().st_size < kept.stat().st_size * 0.6
    assert pdftools.pdftotext(bare) == pdftools.pdftotext(kept)
    readers = {"pdfium": [], "poppler": []}
    for path in (bare, kept):
        document = pypdfium2.PdfDocument(path)
        readers["pdfium"].append([page.render(scale=90 / 72).to_pil().convert("L") for page in document])
        document.close()
        subprocess.run(["pdftoppm", "-r", "90", "-gray", "-png", str(path), str(tmp_path / path.stem)], check=True)
        readers["poppler"].append([Image.open(png).convert("L") for png in sorted(tmp_path.glob(f"{path.stem}-*.png"))])
    for reader, (bare_pages, kept_pages) in readers.items():
        assert len(bare_pages) == len(kept_pages) == 18, reader
        for number, (one, other) in enumerate(zip(bare_pages, kept_pages, strict=True), 1):
            # the same glyphs at the same places; a wrong glyph changes thousands of pixels a page
            difference = ImageChops.difference(one, other)
            assert ImageStat.Stat(difference).mean[0] < 0.5, (reader, number)
            assert sum(difference.histogram()[96:]) < 50, (reader, number)


#: Text the seed issues lack: Latin words and addresses broken across lines, right-aligned and narrow boxes,
#: break-all, tabs, soft hyphens, underlines. Each line must measure and draw as WeasyPrint's own code makes it.
MIXED_TEXT = """<html lang="zh"><body><div class="piece-body">
<p>详见杭州人大网 https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html 和 AVAWAY To WAVE 的说明，
共收集意见建议 126 条，其中 Type、Value 等英文字段按原样保留，Ta To Te 等字偶可能紧排。</p>
<p style="width: 7em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="width: 8em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="width: 9em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="width: 10em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="width: 11em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="width: 12em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="width: 13em; text-align: right">https://www.hzrd.gov.cn/art/2024/1/2/art_1229_1234567.html AV.To/Ty-Yo</p>
<p style="word-break: break-all">LongLatinWordWithoutSpacesThatMustBreakSomewhereAVAWAYTo中文混排的段落内容</p>
<p style="white-space: pre-wrap">制表\t符号 和  空格，保留  原样的  文字，长长的一行文字长长的一行文字长长的一行文字</p>
<p>软&shy;连字&shy;符与 hy&shy;phen&shy;ation 的处理，长长的一行文字长长的一行文字长长的一行文字长长的文字</p>
<p><u>下划线的文字，跨行的下划线文字跨行的下划线文字跨行的下划线文字跨行的下划线文字</u>。</p>
</div></body></html>"""


@pytest.mark.parametrize("document", ["seed", "mixed"])
def test_patches_that_spare_work_leave_the_pdf_byte_for_byte_the_same(published_issue, monkeypatch, document):
    """Set-up kept per style, lines measured as shaped, font files read when needed, pages compressed as painted,
    the 目录 set with the pages found last time, glyphs read in bulk: the same PDF as WeasyPrint's own code gives
    (with the other patches), with fewer Pango layouts shaped."""
    from weasyprint import document as weasyprint_document
    from weasyprint.css import computed_values, targets, units
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text import line_break

    from issues.previews import issue_html

    issue_pdf.patch_weasyprint()
    html = issue_html(published_issue) if document == "seed" else MIXED_TEXT
    shaped = 0
    get_first_line = line_break.Layout.get_first_line

    def counting(self):
        nonlocal shaped
        shaped += 1
        return get_first_line(self)

    monkeypatch.setattr(line_break.Layout, "get_first_line", counting)
    issue_pdf.render_issue_pdf(published_issue, html)  # the 目录's pages found, to be set at once next time
    shaped = 0
    patched = issue_pdf.render_issue_pdf(published_issue, html)
    patched_shapes, shaped = shaped, 0
    for name in ("collect_anchor", "collect_missing_counters", "cache_target_page_counters"):
        monkeypatch.setattr(targets.TargetCollector, name, getattr(targets.TargetCollector, name).__wrapped__)
    for module in (line_break, inline, units, computed_values):
        monkeypatch.setattr(module, "strut", module.strut.__wrapped__)
    monkeypatch.setattr(line_break.Layout, "setup", line_break.Layout.setup.__wrapped__)
    monkeypatch.setattr(line_break, "first_line_metrics", line_break.first_line_metrics.__wrapped__)
    monkeypatch.setattr(pdf_fonts.Font, "__init__", pdf_fonts.Font.__init__.__wrapped__)
    monkeypatch.setattr(pdf_fonts, "get_hb_object_data", pdf_fonts.get_hb_object_data.__wrapped__)
    monkeypatch.delattr(pdf_fonts.Font, "file_content")
    monkeypatch.setattr(weasyprint_document.Page, "paint", weasyprint_document.Page.paint.__wrapped__)
    monkeypatch.setattr(draw_text, "draw_first_line", draw_text.draw_first_line.__wrapped__)
    assert issue_pdf.render_issue_pdf(published_issue, html) == patched
    if document == "seed":
        assert patched_shapes < shaped * 0.8, (patched_shapes, shaped)
