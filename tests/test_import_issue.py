"""`manage.py import_issue`: what it stores, what it refuses, and that a refusal writes nothing."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from issues.models import Article, Brief, Issue, Piece, Section
from reports.models import Contributor, District
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, SEED_SPECIAL_9, SEEDS


def run(*args) -> str:
    out = StringIO()
    call_command("import_issue", *map(str, args), stdout=out)
    return out.getvalue()


def nothing_stored():
    return not Issue.objects.exists() and not Article.objects.exists() and not Brief.objects.exists()


@pytest.mark.django_db
def test_dry_run_json_has_the_documented_shape_and_stores_nothing():
    data = json.loads(run(SEED_REGULAR_2, "--dry-run", "--format", "json"))
    assert set(data) == {"kind", "year", "number", "total_number", "date", "sections", "briefs", "footer"}
    assert (data["kind"], data["year"], data["number"], data["total_number"], data["date"]) == (
        "regular",
        2024,
        2,
        690,
        "2024-03-15",
    )
    assert set(data["sections"][0]) == {"name", "articles"}
    assert set(data["sections"][0]["articles"][0]) == {"title", "unit", "authors", "paragraphs"}
    assert set(data["briefs"][0]) == {"unit", "authors", "text"}
    assert set(data["footer"]) == {"send_to", "recipients", "responsible_editor", "phone", "submission_url"}
    assert "信息摘登" not in [s["name"] for s in data["sections"]]
    assert nothing_stored()


@pytest.mark.django_db
def test_special_issue_json_has_null_section_and_total():
    data = json.loads(run(SEED_SPECIAL_9, "--dry-run", "--format", "json"))
    assert data["kind"] == "special" and data["total_number"] is None
    assert [s["name"] for s in data["sections"]] == [None]


@pytest.mark.django_db
def test_import_stores_a_published_issue():
    output = run(SEED_REGULAR_4)
    issue = Issue.objects.get()
    assert "/issues/2024/regular/4/" in output
    assert issue.is_published and issue.published_at is not None
    assert (issue.kind, issue.year, issue.number, issue.total_number) == ("regular", 2024, 4, 692)
    assert issue.responsible_editor == "杨青青" and issue.phone == "(0571)85250657"
    assert issue.send_to == "省人大常委会办公厅、研究室"
    assert issue.piece_set.articles().count() == 9 and issue.piece_set.briefs().count() == 5
    sections = [section.name if section else None for section, _ in issue.sections_with_articles()]
    assert sections == ["要闻速递", "助力攻坚", "代表工作", "情况交流"]
    first = issue.piece_set.articles().get(position=1)
    assert first.title == "市人大常委会出台全国首部数字贸易领域地方性法规"
    assert first.body.count("<p>") == 4
    assert first.unit.name == "预算工委" and first.unit.district == District.CITY
    lin_an = issue.piece_set.articles().get(title__startswith="临安区")
    assert lin_an.unit.district == District.LINAN
    assert lin_an.unit.short_name == "临安区教科文卫民宗侨工委"


@pytest.mark.django_db
def test_every_seed_imports():
    for path in SEEDS:
        run(path)
    assert Issue.objects.published().count() == 3
    assert Article.objects.count() == 9 + 8 + 1
    assert Brief.objects.count() == 5 + 3


@pytest.mark.django_db
def test_the_special_issue_keeps_its_headings():
    run(SEED_SPECIAL_9)
    article = Article.objects.get()
    assert article.section is None
    assert "<h3>一、主要做法</h3>" in article.body
    assert article.authors == ""


@pytest.mark.django_db
def test_importing_twice_does_not_duplicate():
    run(SEED_REGULAR_4)
    with pytest.raises(CommandError, match="已经导入过"):
        run(SEED_REGULAR_4)
    assert Issue.objects.count() == 1 and Article.objects.count() == 9


def test_replacing_a_published_issue_is_a_recorded_correction(editor):
    run(SEED_REGULAR_4)
    issue_id = Issue.objects.get().id
    Article.objects.filter(position=1).update(title="改过的标题")
    with pytest.raises(CommandError, match="--by"):
        run(SEED_REGULAR_4, "--replace")
    with pytest.raises(CommandError, match="不能用草稿覆盖"):
        run(SEED_REGULAR_4, "--replace", "--draft", "--by", editor.username)
    run(SEED_REGULAR_4, "--replace", "--by", editor.username)
    issue = Issue.objects.get()
    assert issue.id == issue_id and issue.is_published and issue.content_version == 2
    assert issue.piece_set.articles().count() == 9
    assert issue.piece_set.articles().get(position=1).title == "市人大常委会出台全国首部数字贸易领域地方性法规"
    assert issue.corrections.get().made_by == editor


def test_an_issue_holding_pieces_from_reports_is_not_replaced_wholesale(editor, submitter):
    from reports.models import Report

    run(SEED_REGULAR_4)
    report = Report.objects.create(unit=submitter.profile.unit, title="来稿", body="<p>正文</p>")
    Article.objects.filter(position=1).update(report=report)
    with pytest.raises(CommandError, match="逐篇更正"):
        run(SEED_REGULAR_4, "--replace", "--by", editor.username)
    assert Article.objects.get(position=1).report == report


@pytest.mark.django_db
def test_draft_import_prints_its_id():
    output = run(SEED_REGULAR_4, "--draft")
    issue = Issue.objects.get()
    assert output.strip() == f"已导入为草稿 id={issue.id}"
    assert issue.status == Issue.Status.DRAFT and issue.published_at is None
    assert not Issue.objects.published().exists()


@pytest.mark.django_db
def test_flags_supply_what_a_fragment_lacks(tmp_path):
    fragment = tmp_path / "fragment.txt"
    fragment.write_text(
        "上城区：一篇来稿\n\n上城区人大常委会开展了专项监督。\n\n一是抓落实。\n\n(上城区人大常委会办公室 蔡 静)\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="--kind"):
        run(fragment)
    run(fragment, "--kind", "regular", "--number", "7", "--total", "695", "--date", "2024-06-01")
    issue = Issue.objects.get()
    assert (issue.year, issue.number, issue.total_number) == (2024, 7, 695)
    assert issue.piece_set.articles().get().authors == "蔡静"


@pytest.mark.django_db
def test_bad_date_flag_is_explained():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run(SEED_REGULAR_4, "--date", "2024/04/12")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "第 1 行"),
        ("第一行\n第二行\n".encode() + b"\xff\xfe broken", "第 3 行"),
        ("随便写的一段话。\n\n没有署名。\n".encode(), "没有署名"),
    ],
)
def test_bad_input_is_refused_with_the_line_and_nothing_written(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert nothing_stored()


@pytest.mark.django_db
def test_a_clashing_total_number_writes_nothing(tmp_path):
    run(SEED_REGULAR_4)
    with pytest.raises(CommandError, match="总第 692 期"):
        run(SEED_REGULAR_2, "--total", "692")
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_a_failure_midway_rolls_the_whole_import_back(monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("simulated failure while storing briefs")

    monkeypatch.setattr(Piece.objects, "bulk_create", fail)
    units_before = Contributor.objects.count()
    with pytest.raises(IntegrityError):
        run(SEED_REGULAR_4)
    assert nothing_stored()
    assert Contributor.objects.count() == units_before


def test_exit_status_is_non_zero_on_bad_input(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    env = os.environ | {"DATABASE_URL": "sqlite:///:memory:"}  # a dry run reads no database
    result = subprocess.run(
        [sys.executable, "manage.py", "import_issue", str(path), "--dry-run"], capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "空" in result.stderr


@pytest.mark.django_db
def test_new_sections_are_created_and_kept_in_order():
    text = SEED_REGULAR_4.read_text(encoding="utf-8").replace("代表工作**", "履职风采**")
    from issues.importing import store_issue
    from issues.parser import parse_issue

    store_issue(parse_issue(text))
    assert Section.objects.filter(name="履职风采").exists()
    assert Section.objects.filter(name="代表工作").exists()  # the list only grows


@pytest.mark.django_db
def test_a_published_import_queues_its_pdf_and_a_replacement_a_new_one(editor, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        run(SEED_REGULAR_4)
    issue = Issue.objects.get()
    assert issue.pdf_status == Issue.PdfStatus.PENDING
    renders = DBTaskResult.objects.filter(task_path="issues.tasks.render_issue_pdf")  # not the daily reminders
    assert [t.args_kwargs["args"] for t in renders] == [[issue.pk, 1]]
    with django_capture_on_commit_callbacks(execute=True):
        run(SEED_REGULAR_4, "--replace", "--by", editor.username)
    assert sorted(t.args_kwargs["args"][1] for t in renders.all()) == [1, 2]
