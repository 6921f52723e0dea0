"""What the management commands print to the person running them is Chinese: their reports, their refusals and why
a file could not be read (not the C library's `No such file or directory`). Machine-readable output (JSON, CSV) is
left as it is and tested where its shape is.

Latin letters may remain where the user types them or reads them as names: options (`--unit`), role values
(`submitter`), paths and URLs, `id=…`, file types and encodings.
"""

import errno
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import strip_tags

from issues.management.commands.load_demo import DEMO_USERS
from issues.models import Piece, Section
from issues.services import place_report
from renda.oserrors import reason
from reports.models import Profile, Report, UnitRole
from tests.conftest import SEED_REGULAR_4, import_seed
from tests.desk import make_draft, make_report

ALLOWED = {*Profile.Role.values, *UnitRole.Role.values, "ID", "UTF", "GBK", "CSV", "Excel"}
#: Options, paths, URLs and `id=12`, taken out before looking for words.
TYPED = re.compile(r"--?[a-z][\w-]*|\S*/\S*|\bid=\d+")
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


def english(text: str, *names: str) -> list[str]:
    """Latin words in `text` besides the allowed ones and `names` (user names, passwords)."""
    for name in names:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    return [word for word in WORD.findall(TYPED.sub(" ", text)) if word not in ALLOWED]


def run(*args) -> str:
    """stdout and stderr of the command, or the message it stopped with."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue() + err.getvalue() + str(exc)
    return out.getvalue() + err.getvalue()


def test_every_errno_a_user_meets_has_a_chinese_reason():
    assert reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == "文件或目录不存在"
    assert reason(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    assert reason(IsADirectoryError(errno.EISDIR, "Is a directory")) == "这是一个目录，不是文件"
    assert reason(OSError(errno.EBUSY, "Device or resource busy")) == "系统错误 EBUSY"
    assert english(reason(OSError("something"))) == []


@pytest.mark.django_db
def test_find_similar_and_index_similar(tmp_path, capsys):
    text = tmp_path / "信息.txt"
    text.write_text("一个标题\n一段与任何已刊稿件都不相同的正文。\n", encoding="utf-8")
    outputs = [
        run("index_similar"),
        run("find_similar", str(text)),
        run("find_similar", str(tmp_path / "没有这个文件.txt")),
        run("find_similar", str(tmp_path)),
    ]
    assert "没有相似的稿件" in outputs[1] and "文件或目录不存在" in outputs[2] and "不是文件" in outputs[3]
    assert [english(output) for output in outputs] == [[]] * len(outputs), outputs


@pytest.mark.django_db
def test_find_similar_names_the_kind_in_chinese(tmp_path):
    import_seed(SEED_REGULAR_4)
    article = Piece.objects.filter(kind=Piece.Kind.ARTICLE).order_by("pk").first()
    text = tmp_path / "信息.txt"
    text.write_text(article.title + "\n" + strip_tags(article.body.replace("</p>", "\n")), encoding="utf-8")
    output = run("find_similar", str(text))
    assert output.splitlines()[0].startswith("1.00  文章") and article.title in output, output
    assert english(output) == [], output


@pytest.mark.django_db
def test_wording_dictionary(tmp_path, capsys):
    outputs = [
        run("wording_dictionary", "export", str(tmp_path / "词典.csv")),
        run("wording_dictionary", "import", str(tmp_path / "词典.csv")),
        run("wording_dictionary", "import", str(tmp_path / "没有这个文件.csv")),
        run("wording_dictionary", "export", str(tmp_path / "没有这个目录" / "词典.csv")),
    ]
    exported = capsys.readouterr().err  # the count goes to standard error, past the command's own streams
    assert "已导出 0 条" in exported and english(exported) == []
    assert "已导入" in outputs[1] and "无法读取" in outputs[2] and "无法写入" in outputs[3]
    assert [english(output) for output in outputs] == [[]] * len(outputs), outputs


@pytest.mark.django_db
def test_add_user():
    outputs = [
        run("add_user", "ed", "--role", "editor"),
        run("add_user", "ed", "--role", "editor"),
        run("add_user", "sc", "--unit", "上城区人大常委会", "--password", "Qiantang-2026!"),
        run("add_user", "sc", "--unit", "上城区人大常委会", "--role", "reviewer"),
        run("add_user", "ed", "--unit", "上城区人大常委会", "--role", "reviewer"),
        run("add_user", "x", "--role", "boss"),
        run("add_user", "x", "--role", "editor,approver"),
        run("add_user", "x", "--role", "reviewer"),
        run("add_user", "x", "--role", "submitter"),
        run("add_user", "x", "--role", "editor", "--password", "123"),
    ]
    assert "已创建用户 ed" in outputs[0] and "密码：" in outputs[0] and "已给予 sc" in outputs[3]
    password = outputs[0].split("密码：")[1].strip()
    assert [english(output, password, "ed", "sc", "x", "boss") for output in outputs] == [[]] * len(outputs), outputs


def test_publish_issue_and_import_issue(published_issue, submitter, editor, tmp_path):
    draft = make_draft()
    report = make_report(submitter, "一篇信息", status=Report.Status.ACCEPTED, editor=editor)
    place_report(report, draft, as_brief=False, section=Section.objects.get(name="要闻速递"))
    outputs = [
        run("publish_issue", str(draft.pk)),
        run("publish_issue", str(draft.pk), "999999"),
        run("import_issue", str(SEED_REGULAR_4)),
        run("import_issue", str(tmp_path / "没有这个文件.txt")),
        run("import_issue", str(SEED_REGULAR_4), "--dry-run"),
    ]
    assert outputs[0].startswith("已发布 2024 年普刊第 5 期") and "ID 999999：没有这一期" in outputs[1]
    assert [english(output) for output in outputs] == [[]] * len(outputs), outputs


@pytest.mark.django_db
def test_load_demo():
    output = run("load_demo")
    names = [name for username, password, *_ in DEMO_USERS for name in (username, password)]
    assert "演示账号" in output and english(output, *names) == [], output


@pytest.mark.django_db
def test_load_network_demo():
    run("load_demo")
    output = run("load_network_demo")
    assert "示例约稿" in output and english(output) == [], output
