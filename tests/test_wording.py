"""Wording checks (错敏字) on the sample issues, at submission, on the desk and before publishing; the CSV."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from issues import services
from issues.models import Issue
from reports import wording
from reports.models import Leader, OfficialName, Report, WordingRule
from tests.conftest import SEED_REGULAR_4, import_seed
from tests.portal import make_report

ON = datetime.date(2024, 4, 12)  # the date of the sample issue 2024年第4期


@pytest.fixture
def dictionary(db):
    """A small dictionary written for the tests."""
    Leader.objects.create(name="习近平", title="总书记", start_date=datetime.date(2012, 11, 15))
    Leader.objects.create(name="张三", title="市人大常委会副主任", start_date=datetime.date(2021, 2, 1))
    Leader.objects.create(
        name="李四", title="市人大常委会主任", start_date=datetime.date(2017, 1, 1), end_date=datetime.date(2023, 1, 10)
    )
    WordingRule.objects.create(phrase="一府两院", correction="一府一委两院")
    OfficialName.objects.create(name="杭州市人民代表大会常务委员会", wrong_forms="杭州市人大常务委员会\n杭州人大常委会")


@pytest.fixture
def seed_draft(db):
    return import_seed(SEED_REGULAR_4, draft=True)


def hits_of(issue):
    return [(kind, piece, hit) for kind, piece, hit in services.wording_hits(issue)]


def test_correct_title_of_a_leader_in_the_sample_issue_is_not_a_hit(dictionary, seed_draft):
    assert not [hit for _, _, hit in hits_of(seed_draft) if hit.kind == "leader"]
    assert "习近平总书记" in " ".join(a.body for a in seed_draft.piece_set.articles().all())


def test_wrong_title_of_a_leader_is_found_with_its_line(dictionary, seed_draft):
    article = seed_draft.piece_set.articles().get(title__contains="代表")
    article.body += "<p>会上，市人大常委会主任张三作了讲话。</p><p>张三副主任出席会议。</p>"
    article.save()
    leader_hits = [(piece, hit) for _, piece, hit in hits_of(seed_draft) if hit.kind == "leader"]
    assert len(leader_hits) == 1  # `张三副主任` fits his title; `主任张三` does not
    piece, hit = leader_hits[0]
    assert piece == article and hit.found == "市人大常委会主任张三"
    assert hit.line == "会上，市人大常委会主任张三作了讲话。"
    assert hit.line_number == len(wording.text_lines(article.body)) - 1
    assert "市人大常委会副主任" in hit.message


def test_a_title_the_dictionary_does_not_give_is_found_in_the_sample_text(db, seed_draft):
    Leader.objects.create(name="习近平", title="国家主席", start_date=datetime.date(2013, 3, 14))
    hits = [(piece, hit) for _, piece, hit in hits_of(seed_draft) if hit.kind == "leader"]
    assert hits and all(hit.found == "习近平总书记" for _, hit in hits)
    piece, hit = hits[0]
    assert hit.line in wording.text_lines(piece.body) and "学习习近平总书记重要讲话精神" in hit.line
    assert "国家主席" in hit.message


def test_a_title_is_checked_at_the_texts_date(dictionary):
    text = "<p>市人大常委会主任李四调研代表联络站。</p>"
    assert wording.check_text("", text, datetime.date(2022, 5, 1)) == []
    (hit,) = wording.check_text("", text, ON)
    assert hit.kind == "leader" and "已不任" in hit.message and "2023年1月10日" in hit.message


def test_wrong_phrase_and_official_name_in_the_sample(dictionary, seed_draft):
    phrases = [(piece, hit) for _, piece, hit in hits_of(seed_draft) if hit.kind == "phrase"]
    assert phrases and all(hit.found == "一府两院" and hit.suggestion == "一府一委两院" for _, hit in phrases)
    assert all("一府两院" in hit.line for _, hit in phrases)
    # `一府一委两院`, also in this issue, is not a hit
    assert "一府一委两院" in " ".join(a.body for a in seed_draft.piece_set.articles().all())
    (name,) = wording.check_text("杭州市人大常务委员会召开会议", "<p>杭州市人民代表大会常务委员会</p>", ON)
    assert name.kind == "name" and name.line_number == 0 and name.suggestion == "杭州市人民代表大会常务委员会"


def test_dictionary_changes_are_seen_at_once(dictionary):
    assert wording.check_text("", "<p>三个代表</p>", ON) == []
    rule = WordingRule.objects.create(phrase="三个代表", correction="“三个代表”重要思想", kind="sensitive")
    assert len(wording.check_text("", "<p>三个代表</p>", ON)) == 1
    rule.delete()
    assert wording.check_text("", "<p>三个代表</p>", ON) == []


# --- where the check is shown ------------------------------------------------------------------------------------


def test_publishing_asks_for_confirmation_when_hits_remain(client, dictionary, seed_draft, editor):
    with pytest.raises(services.WordingUnconfirmed) as refused:
        services.publish(seed_draft, by=editor)
    assert refused.value.hits
    assert Issue.objects.get(pk=seed_draft.pk).status == Issue.Status.DRAFT
    client.force_login(editor)
    change = reverse("admin:issues_issue_change", args=[seed_draft.pk])
    page = client.get(change).text
    assert 'id="wording-check"' in page and "一府两院" in page
    for kind, piece, _ in refused.value.hits:
        assert reverse(f"admin:issues_{kind}_change", args=[piece.pk]) in page
    response = client.post(reverse("admin:issues_issue_publish", args=[seed_draft.pk]), follow=True)
    assert "用词检查发现" in response.text
    assert Issue.objects.get(pk=seed_draft.pk).status == Issue.Status.DRAFT
    client.post(reverse("admin:issues_issue_publish", args=[seed_draft.pk]), {"confirm_wording": "1"})
    assert Issue.objects.get(pk=seed_draft.pk).status == Issue.Status.PUBLISHED


def test_issue_without_hits_publishes_without_confirmation(db, seed_draft, editor):
    services.publish(seed_draft, by=editor)
    assert Issue.objects.get(pk=seed_draft.pk).is_published


def test_unit_is_warned_on_submit_and_may_still_submit(logged_in, dictionary):
    data = {
        "title": "上城区：代表联络站建设",
        "body": "<p>市人大常委会主任张三到上城区调研。</p>",
        "action": "submit",
        "secrecy_declared": "on",
    }
    response = logged_in.post(reverse("reports:new"), data, follow=True)
    report = Report.objects.get()
    assert report.status == Report.Status.DRAFT and report.body == data["body"]  # kept, not yet submitted
    assert 'id="wording-hits"' in response.text and "市人大常委会主任张三" in response.text
    signature = wording.signature(wording.check_text(report.title, report.body, datetime.date.today()))
    assert f'value="{signature}"' in response.text
    confirmed = {**data, "wording_confirmed": signature, "seen_status": "draft"}
    logged_in.post(reverse("reports:edit", args=[report.pk]), confirmed)
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


def test_confirmation_does_not_cover_new_hits(logged_in, submitter, dictionary):
    report = make_report(submitter, body="<p>“一府两院”工作报告会。</p>")
    old = wording.signature(wording.check_text(report.title, report.body, datetime.date.today()))
    report.body += "<p>市人大常委会主任张三出席。</p>"
    report.save()
    response = logged_in.post(
        reverse("reports:submit", args=[report.pk]),
        {"secrecy_declared": "on", "wording_confirmed": old, "seen_status": "draft"},
        follow=True,
    )
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT and "用词检查发现 2 处" in response.text


def test_editor_sees_the_hits_when_opening_a_report(client, submitter, editor, dictionary):
    report = make_report(submitter, body="<p>区人大常委会通过“一府两院”工作报告会听取意见。</p>", status="submitted")
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert 'id="report-checks"' in page and "一府一委两院" in page and "第 1 段" in page


# --- CSV ---------------------------------------------------------------------------------------------------------


def test_csv_round_trip_and_formula_cells_are_escaped(dictionary):
    WordingRule.objects.create(phrase="=HYPERLINK(1)", correction="-2+3", note="@SUM(A1)")
    out = io.StringIO()
    call_command("wording_dictionary", "export", "-", stdout=out)
    text = out.getvalue()
    assert "'=HYPERLINK(1)" in text and "'-2+3" in text and "'@SUM(A1)" in text
    assert "\n=" not in text and ",=" not in text and ",-" not in text and ",@" not in text
    OfficialName.objects.all().delete()
    Leader.objects.all().delete()
    WordingRule.objects.all().delete()
    counts = wording.import_csv(text)
    assert counts == {"机构名称": 1, "领导职务": 3, "错敏用语": 2}
    assert WordingRule.objects.get(phrase="=HYPERLINK(1)").correction == "-2+3"
    assert Leader.objects.get(name="李四").end_date == datetime.date(2023, 1, 10)
    assert OfficialName.objects.get().wrong_form_list == ["杭州市人大常务委员会", "杭州人大常委会"]


def test_csv_with_a_bad_row_changes_nothing(dictionary):
    text = "类别,词语,正确写法,职务,任职起,任职止,备注\n错误写法,新词,正词,,,,\n领导职务,王五,,主任,去年,,\n"
    with pytest.raises(wording.ImportError_, match="第 3 行"):
        wording.import_csv(text)
    assert not WordingRule.objects.filter(phrase="新词").exists()


def test_admin_import_and_export(client, editor, dictionary):
    client.force_login(editor)
    export = client.get(reverse("admin:reports_wordingrule_export"))
    assert export["Content-Type"].startswith("text/csv") and "一府两院" in export.content.decode("utf-8-sig")
    upload = SimpleUploadedFile(
        "d.csv", "类别,词语,正确写法,职务,任职起,任职止,备注\n错误写法,阳光政务,阳光政务公开,,,,\n".encode()
    )
    response = client.post(reverse("admin:reports_wordingrule_import"), {"csv_file": upload}, follow=True)
    assert "已导入" in response.text and WordingRule.objects.filter(phrase="阳光政务").exists()
    bad = SimpleUploadedFile("d.csv", "名字,别的\n".encode())
    response = client.post(reverse("admin:reports_wordingrule_import"), {"csv_file": bad})
    assert "表头" in response.text
    assert "导入 CSV" in client.get(reverse("admin:reports_leader_changelist")).text
