"""The network's commands speak Chinese when something is wrong: a missing folder or file, a file that is not JSON,
a period not over yet, an output name that does not match the format, nothing to report; no traceback, and the
outputs the issues name (`scores` JSON, one line per reminder) are unchanged."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from network import scoring

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def latin_words(text: str, allowed=()) -> set[str]:
    """English words left in a message (paths, options and formats named in it aside)."""
    return {word for word in LATIN_WORD.findall(text) if word not in allowed}


def command_error(*args) -> str:
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


@pytest.fixture
def rules(db):
    return scoring.import_rule_set({"year": 2024, "combine": "sum", "rules": [{"event": "article", "points": 4}]})


def test_exporting_rules_into_a_missing_folder_says_so(rules, tmp_path):
    target = tmp_path / "missing" / "x.json"
    message = command_error("scoring_rules", "export", str(target))
    assert message == f"无法写入 {target}：所在目录不存在。"
    assert command_error("scoring_rules", "export", str(tmp_path)) == f"无法写入 {tmp_path}：这是一个目录，不是文件。"


def test_importing_a_missing_or_broken_file_says_what_is_wrong_in_chinese(rules, tmp_path):
    missing = tmp_path / "missing.json"
    assert command_error("scoring_rules", "import", str(missing)) == f"无法读取 {missing}：文件不存在。"
    broken = tmp_path / "broken.json"
    broken.write_text('{"year": 2024,\n  "rules": [}', encoding="utf-8")
    message = command_error("scoring_rules", "import", str(broken))
    assert message == f"无法读取 {broken}：不是有效的 JSON（第 2 行第 13 列）。"
    assert not latin_words(message.replace(str(broken), ""), allowed={"JSON"})
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"year": 2024, "note": "积分"}'.encode("gb18030"))
    assert command_error("scoring_rules", "import", str(gbk)) == f"无法读取 {gbk}：文件不是 UTF-8 编码的文本。"


def test_send_reminders_reports_its_count_in_chinese(db, capsys):
    call_command("send_reminders", "--dry-run")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == "试运行：今天应发送 0 条催报，未发送。"
    call_command("send_reminders")
    assert capsys.readouterr().err.strip() == "已发送 0 条催报。"


def test_a_circular_is_refused_for_a_period_not_over_or_not_begun(db, tmp_path):
    from django.utils import timezone

    today = timezone.localdate()
    out = tmp_path / "c.pdf"
    future = command_error("circular", "--year", str(today.year + 4), "--format", "pdf", "--output", str(out))
    assert future == f"{today.year + 4}年尚未开始，不能生成通报。"
    running = command_error("circular", "--year", str(today.year), "--format", "pdf", "--output", str(out))
    assert running == f"{today.year}年尚未结束（到12月31日），期满后才能生成通报。"
    month = command_error(
        "circular", "--year", str(today.year), "--month", str(today.month), "--format", "pdf", "--output", str(out)
    )
    assert "尚未结束" in month
    assert not out.exists()


def test_a_circular_is_refused_for_an_output_name_of_another_format_or_in_a_missing_folder(db, tmp_path):
    pdf_name = tmp_path / "c.pdf"
    message = command_error(
        "circular", "--year", "2024", "--quarter", "2", "--format", "docx", "--output", str(pdf_name)
    )
    assert message == f"--format docx 应写入扩展名为 .docx 的文件，而不是 {pdf_name}。"
    assert not pdf_name.exists()
    missing = tmp_path / "missing" / "c.docx"
    message = command_error(
        "circular", "--year", "2024", "--quarter", "2", "--format", "docx", "--output", str(missing)
    )
    assert message == f"无法写入 {missing}：所在目录不存在。"
    upper = tmp_path / "C.DOCX"
    call_command(
        "circular", "--year", "2024", "--quarter", "2", "--format", "docx", "--output", str(upper), stderr=io.StringIO()
    )
    assert upper.read_bytes().startswith(b"PK")


def test_scores_of_a_period_without_data_keep_the_json_and_say_so_on_stderr(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("scores", "--year", "1999", "--format", "json", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == [] and out.getvalue() == "[]\n"
    assert err.getvalue().strip() == "1999年无数据：没有单位有积分事项或报送。"
