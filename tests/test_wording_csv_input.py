"""The wording dictionary's CSV import with files as they really come: Excel's GBK, over-long cells, broken
quoting, NUL bytes. A clear Chinese message naming the row, nothing half-imported, never a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.models import Leader, OfficialName, WordingRule

HEADER = "类别,词语,正确写法,职务,任职起,任职止,备注\n"
GOOD = "错误写法,阳光政务,阳光政务公开,,,,\n"


@pytest.fixture
def importing(client, editor):
    client.force_login(editor)
    client.raise_request_exception = False

    def post(data: bytes):
        upload = SimpleUploadedFile("词典.csv", data, "text/csv")
        return client.post(reverse("admin:reports_wordingrule_import"), {"csv_file": upload}, follow=True)

    return post


def nothing_imported():
    return not (WordingRule.objects.filter(phrase="阳光政务").exists() or OfficialName.objects.exists())


@pytest.mark.django_db
def test_a_gbk_file_saved_by_excel_is_imported(importing):
    text = HEADER + "机构名称,杭州市人大常务委员会,杭州市人民代表大会常务委员会,,,,\n"
    response = importing(text.encode("gbk"))
    assert response.status_code == 200 and "已导入" in response.text
    assert OfficialName.objects.get().wrong_form_list == ["杭州市人大常务委员会"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("机构名称,杭州人大," + "长" * 101 + ",,,,\n", "第 3 行：正确写法最多 100 个字"),
        ("领导职务," + "名" * 21 + ",主任,2024-01-01,,,\n", "第 3 行：词语最多 20 个字"),
        ("错误写法," + "词" * 101 + ",正词,,,,\n", "第 3 行：词语最多 100 个字"),
        ("错误写法,新词,正词,,,," + "注" * 201 + "\n", "第 3 行：备注最多 200 个字"),
        ('错误写法,"' + "x" * 200_000 + '",正词,,,,\n', "第 3 行无法读取"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_imported(importing, row, message):
    response = importing((HEADER + GOOD + row).encode())
    assert response.status_code == 200 and message in response.text and "本次导入未作任何改动" in response.text
    assert nothing_imported()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [(HEADER + GOOD + "错误写法,a\x00b,c,,,,\n").encode(), b"\x89PNG\r\n\x1a\n\x00\x01\x02"]
)
def test_a_file_that_is_not_csv_text_is_refused(importing, data):
    response = importing(data)
    assert response.status_code == 200 and "不是 CSV 文本" in response.text
    assert nothing_imported() and not Leader.objects.exists()


@pytest.mark.django_db
def test_the_command_reads_excels_gbk_as_the_admin_does(tmp_path):
    path = tmp_path / "词典.csv"
    path.write_bytes((HEADER + "机构名称,杭州市人大常务委员会,杭州市人民代表大会常务委员会,,,,\n").encode("gbk"))
    out = io.StringIO()
    call_command("wording_dictionary", "import", str(path), stdout=out)
    assert "已导入" in out.getvalue()
    assert OfficialName.objects.get().wrong_form_list == ["杭州市人大常务委员会"]
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01\x02")
    with pytest.raises(CommandError, match="不是 CSV 文本"):
        call_command("wording_dictionary", "import", str(path), stdout=io.StringIO())


def test_one_formula_guard_for_every_export():
    from renda.csvsafe import safe_cell, unquote_cell

    assert [safe_cell(v) for v in ("=SUM(A1)", "+1", "-1", "@x", "\tx", "上城区", 3, None)] == [
        "'=SUM(A1)",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "上城区",
        3,
        None,
    ]
    assert (
        unquote_cell(" '=SUM(A1) ") == "=SUM(A1)" and unquote_cell("'上城区") == "'上城区" and unquote_cell("'") == "'"
    )


def test_the_import_page_uses_the_admins_breadcrumbs(client, editor):
    """Django 6's admin styles `ol.breadcrumbs` only: a `div` of links shows unstyled."""
    client.force_login(editor)
    page = client.get(reverse("admin:reports_wordingrule_import")).text
    assert '<ol class="breadcrumbs">' in page and '<div class="breadcrumbs">' not in page
    assert '<li aria-current="page">导入 CSV</li>' in page
    assert f'<li><a href="{reverse("admin:reports_wordingrule_changelist")}">' in page
