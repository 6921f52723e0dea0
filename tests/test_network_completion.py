"""A call's completion matrix: every unit asked × reports sent, accepted, used; late answers marked; as XLSX."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from network import services
from network.models import Answer, Call
from reports.models import Contributor
from tests.conftest import make_user
from tests.network import answer, at_local, make_call


@pytest.fixture
def call_with_answers(submitter, other_submitter, editor):
    deadline = timezone.localdate() - datetime.timedelta(days=3)
    binjiang = Contributor.objects.get(name="滨江区人大常委会")
    call = make_call(
        deadline=deadline, districts=["shangcheng", "xihu"], units=[binjiang], quota_count=1, quota_scope="district"
    )
    on_time = at_local(deadline, hour=23)
    answer(call, submitter, status="published", title="上城区：代表联络站夜间接待", submitted_at=on_time)
    answer(call, submitter, status="submitted", title="上城区：代表小组活动纪实")  # sent now: after the deadline
    answer(call, other_submitter, status="accepted", submitted_at=on_time)
    answer(call, other_submitter, status="draft", title="西湖区：尚未报送的草稿")
    return call


EXPECTED = [
    # unit, sent, accepted, used, late
    ("上城区人大常委会", 0, 0, 0, 0),
    ("上城区人大常委会办公室", 2, 1, 1, 1),
    ("西湖区人大常委会", 0, 0, 0, 0),
    ("西湖区人大常委会办公室", 1, 1, 0, 0),
    ("滨江区人大常委会", 0, 0, 0, 0),
]


def test_the_matrix_has_every_unit_asked_with_sent_accepted_used_and_late(call_with_answers):
    result = services.completion(call_with_answers)
    assert [(r.unit.name, r.sent, r.accepted, r.used, r.late) for r in result.rows] == EXPECTED
    assert (result.answered, result.addressed) == (2, 5)
    assert result.totals == {"sent": 3, "accepted": 2, "used": 1, "late": 1}
    assert result.below_quota == ["滨江区"]  # each district at least 1
    assert [r.state for r in result.rows][:2] == ["未报送", "已报送"]


def test_on_time_and_late_answers_are_queryable(call_with_answers):
    answers = Answer.objects.filter(call=call_with_answers)
    assert answers.sent().count() == 3
    assert sorted(a.report.title for a in answers.late()) == ["上城区：代表小组活动纪实"]
    assert answers.on_time().count() == 2
    assert answers.used().count() == 1 and answers.accepted().count() == 2


def test_the_matrix_takes_a_fixed_number_of_queries(call_with_answers, django_assert_max_num_queries, submitter):
    for n in range(5):
        answer(call_with_answers, submitter, title=f"上城区：第 {n} 篇")
    call = Call.objects.get(pk=call_with_answers.pk)
    with django_assert_max_num_queries(3):
        rows = services.completion(call).rows
        assert rows[1].sent == 7


def test_a_unit_that_answered_but_is_no_longer_asked_keeps_its_row(call_with_answers):
    call_with_answers.districts.filter(district="xihu").delete()
    rows = {r.unit.name: r for r in services.completion(call_with_answers).rows}
    assert rows["西湖区人大常委会办公室"].addressed is False
    assert rows["西湖区人大常委会办公室"].sent == 1
    assert "西湖区人大常委会" not in rows


def test_the_xlsx_export_holds_the_same_matrix(client, editor, call_with_answers):
    client.force_login(editor)
    url = reverse("admin:network_call_completion", args=[call_with_answers.pk])
    response = client.get(url + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"约稿完成情况：{call_with_answers.topic}"
    assert list(rows[2]) == services.XLSX_HEADER
    body = [(r[0], r[2], r[3], r[4], r[5]) for r in rows[3:-1]]
    assert body == EXPECTED
    assert rows[-1][:6] == ("合计", None, 3, 2, 1, 1)
    late_row = rows[3 + 1]
    assert late_row[7] == "已报送" and late_row[6]  # first sent at, and marked late by its 迟报 count
    assert sheet.cell(row=5, column=1).fill.fgColor.rgb.endswith("FFF2CC")


def test_the_completion_page_shows_the_matrix_to_editors_only(client, editor, submitter, call_with_answers):
    url = reverse("admin:network_call_completion", args=[call_with_answers.pk])
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "约稿完成情况" in page and "上城区人大常委会办公室" in page and "未达到：滨江区" in page
    # The admin (Django 6) styles breadcrumbs as an ordered list: a <div class="breadcrumbs"> shows unstyled.
    assert '<ol class="breadcrumbs">' in page and '<li aria-current="page">完成情况</li>' in page
    client.force_login(submitter)
    assert client.get(url).status_code == 302  # the admin sends units to its login
    client.force_login(make_user("approver2", "approver", "研究室"))
    assert client.get(url).status_code == 200


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx(call_with_answers):
    Contributor.objects.create(name='=HYPERLINK("http://example.invalid","点击")', district="shangcheng", position=1)
    sheet = load_workbook(io.BytesIO(services.completion_xlsx(services.completion(call_with_answers)))).active
    assert sheet["A4"].value == '=HYPERLINK("http://example.invalid","点击")'
    assert sheet["A4"].data_type == "s"


def test_every_custom_admin_page_of_the_network_and_the_distribution_has_the_admins_breadcrumbs():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates" / "admin"
    for template in [*(root / "network").rglob("*.html"), *(root / "distribution").rglob("*.html")]:
        text = template.read_text(encoding="utf-8")
        if "{% block breadcrumbs %}" in text:
            assert 'class="breadcrumbs"' not in text.replace('<ol class="breadcrumbs">', ""), template
