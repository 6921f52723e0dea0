"""No English on a page a user sees, with DEBUG off: every page of each role (reader, unit submitter, editor) is
fetched and its visible text (text nodes, plus the attributes a user reads or hears: title, placeholder, alt,
aria-label, a button's value) must hold no Latin-letter word outside a short list of names and file types.

Half-width punctuation between Chinese characters (`请填写,然后`) fails too: Chinese messages use full-width marks.

To cover a new page, add it to the role's list below; every model the admin registers is walked on its own.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from issues.models import Correction, Issue
from network.services import remind_by_hand
from reports.models import Report
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, SEED_SPECIAL_9, import_seed
from tests.desk import make_report
from tests.network import answer, make_call

#: Proper names, file types and the few Latin abbreviations Chinese readers use as they are.
ALLOWED = {
    "PDF",
    "Word",
    "DOCX",
    "docx",
    "doc",
    "XLSX",
    "xlsx",
    "CSV",
    "csv",
    "RSS",
    "Atom",
    "URL",
    "e-mail",
    "E-mail",
    "email",
    "Email",
    "JPG",
    "JPEG",
    "PNG",
    "GIF",
    "WebP",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "pdf",
    "MB",
    "KB",
    "ID",
    "Ctrl",
    "Shift",
    "Enter",
    "Esc",
    "Tab",
    "CKEditor",
    "HTML",
    "IP",
    "Excel",
}
#: The printed masthead, reproduced as the bulletin prints it (layout.md): `(普 刊)`, `第 4 期(总第 692 期)`.
MASTHEAD = "(普 刊) (专刊) 第 4 期(总第 692 期)"
#: Technical logs (login attempts, background task results): their lists are checked, not the records, which hold
#: request headers, code paths and tracebacks as they were.
TECHNICAL_APPS = {"axes", "django_tasks_database"}
WORD = re.compile(r"[A-Za-z][A-Za-z\-]*")
# A half-width , ; : ! ? ( ) right after or before a Chinese character (URLs and times have digits or Latin round).
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][,;:!?()]|[,;!?(][\u4e00-\u9fff]")
SPOKEN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
HIDDEN_TAGS = {"script", "style", "template", "noscript"}


class VisibleText(HTMLParser):
    """What a reader sees or a screen reader says: text outside scripts and styles, plus spoken attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        for name, value in attrs:
            if value and name in SPOKEN_ATTRIBUTES:
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def english_on(html: str, allowed: set[str] = frozenset()) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        found += [w for w in WORD.findall(part) if w not in ALLOWED and w not in allowed]
        found += [f"half-width “{m}”" for m in HALF_WIDTH.findall(part) if m not in allowed]
    return found


def written_by_people() -> set[str]:
    """Latin words and half-width marks in what people wrote (the bulletin's own texts, reports, calls): content
    shown as written, not the interface's words."""
    from axes.models import AccessAttempt, AccessLog
    from django_tasks_db.models import DBTaskResult

    from issues.models import Piece
    from network.models import Call

    texts = [
        " ".join(str(value) for value in row if value)
        for queryset, fields in [
            (Piece.objects.all(), ("title", "body", "authors", "lead")),
            (Report.objects.all(), ("title", "body", "authors")),
            (Call.objects.all(), ("topic", "guidance")),
            (Issue.objects.all(), ("send_to", "recipients", "responsible_editor", "phone", "submission_url")),
        ]
        for row in queryset.values_list(*[f for f in fields if f in {x.name for x in queryset.model._meta.fields}])
    ]
    texts += [piece.attribution for piece in Piece.objects.select_related("unit")]
    texts += [MASTHEAD, *AccessAttempt.objects.values_list("path_info", flat=True)]
    texts += [f"{log} {log.path_info}" for log in AccessLog.objects.all()]
    texts += [f"{task.id} {task.status}" for task in DBTaskResult.objects.all()]  # the task by its Chinese name
    words = set()
    for text in texts:
        words |= set(WORD.findall(text)) | set(HALF_WIDTH.findall(text))
    return words


def check(client, urls, allowed=frozenset()):
    problems = {}
    allowed = set(allowed) | written_by_people()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        found = english_on(response.content.decode(), allowed)
        if found:
            problems[url] = sorted(set(found))
    assert problems == {}, "English on pages:\n" + "\n".join(f"{url}: {words}" for url, words in problems.items())


def test_every_background_task_has_a_chinese_name():
    """The admin's 后台任务 list shows each task by its name in renda.admin.TASK_NAMES, else by its code path."""
    import importlib
    import importlib.util

    from django.apps import apps
    from django.tasks import Task

    from renda.admin import TASK_NAMES

    paths = set()
    for app in apps.get_app_configs():
        if importlib.util.find_spec(f"{app.name}.tasks") is not None:
            module = importlib.import_module(f"{app.name}.tasks")
            paths |= {value.module_path for value in vars(module).values() if isinstance(value, Task)}
    assert "issues.tasks.render_issue_pdf" in paths
    assert paths - set(TASK_NAMES) == set()


def test_the_check_finds_english_and_half_width_marks():
    assert english_on("<p>欢迎，EDITOR</p>") == ["EDITOR"]
    assert english_on('<input type="submit" value="Save">') == ["Save"]
    assert english_on('<a title="Close">×</a>') == ["Close"]
    assert english_on("<p>请填写,然后保存</p>") == ["half-width “写,”"]
    assert english_on("<script>var x = 1</script><p>下载 PDF 或 Word</p>") == []


@pytest.fixture
def world(db, editor, submitter, other_submitter):
    """Something in every state, so each page shows its real contents: issues, reports, a call, a reminder."""
    issue = import_seed(SEED_REGULAR_4)
    import_seed(SEED_SPECIAL_9)
    draft = import_seed(SEED_REGULAR_2, draft=True)
    editor.first_name, editor.last_name = "静", "王"
    editor.save()
    report = make_report(submitter, "上城区：代表联络站", status=Report.Status.ACCEPTED, editor=editor)
    draft_report = make_report(submitter, "上城区：审议报告", status=Report.Status.DRAFT)
    returned = make_report(submitter, "上城区：专题询问", status=Report.Status.RETURNED, editor=editor)
    call = make_call(units=[submitter.profile.unit])
    answer(call, submitter)
    remind_by_hand([submitter.profile.unit], by=editor, call=call)
    Correction.objects.create(issue=issue, made_by=editor, note="第二段“三项”应为“四项”。")
    return {"issue": issue, "draft": draft, "report": report, "draft_report": draft_report, "returned": returned}


def public_pages(issue: Issue) -> list[str]:
    article, brief = issue.articles()[0], issue.briefs()[0]
    return [
        "/",
        "/archive/",
        f"/archive/{issue.year}/",
        issue.get_absolute_url(),
        article.get_absolute_url(),
        brief.get_absolute_url(),
        "/articles/",
        f"/articles/?year={issue.year}&kind=regular",
        "/search/?q=代表",
        "/search/?q=无此词语",
        "/accounts/login/",
    ]


def test_readers_see_no_english(client, world):
    check(client, public_pages(world["issue"]))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and english_on(response.content.decode()) == []


def test_a_unit_submitter_sees_no_english(client, world, submitter):
    client.force_login(submitter)
    sent = world["report"]
    check(
        client,
        [
            "/submit/",
            "/submit/?status=returned",
            "/submit/new/",
            f"/submit/{world['draft_report'].pk}/",
            f"/submit/{world['draft_report'].pk}/edit/",
            f"/submit/{world['returned'].pk}/",
            f"/submit/{world['returned'].pk}/edit/",
            f"/submit/{sent.pk}/",
            f"/submit/{sent.pk}/versions/1/",
            "/submit/notifications/",
            "/submit/stats/",
            "/submit/calls/",
            f"/submit/calls/{make_call(units=[submitter.profile.unit], topic='数字经济').pk}/",
            "/submit/reminders/",
            "/submit/scores/",
            "/submit/circulars/",
            "/submit/instructions/",
            "/accounts/password/",
            "/accounts/password/done/",
        ],
    )


def admin_pages(user) -> list[str]:
    """Every registered model's list, add form, and change form and history of its first row."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None and model._meta.app_label not in TECHNICAL_APPS:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[first.pk]))
    return urls


def test_the_editor_sees_no_english(client, world, editor, submitter):
    client.force_login(editor)
    issue, draft, report = world["issue"], world["draft"], world["report"]
    call = make_call(units=[submitter.profile.unit], topic="数字经济")
    urls = [
        *admin_pages(editor),
        f"/admin/issues/issue/{draft.pk}/change/",
        f"/admin/issues/issue/{issue.pk}/change/",
        f"/admin/issues/issue/{draft.pk}/desk/",
        f"/admin/issues/article/add/?issue={draft.pk}",
        f"/admin/issues/brief/add/?issue={draft.pk}",
        f"/admin/reports/report/{report.pk}/change/",
        f"/admin/reports/report/{report.pk}/place/",
        f"/admin/reports/report/{world['returned'].pk}/change/",
        "/admin/reports/report/stats/",
        "/admin/reports/report/?status=submitted",
        f"/admin/network/call/{call.pk}/change/",
        f"/admin/network/call/{call.pk}/completion/",
        f"/preview/issues/{draft.pk}/",
        "/admin/password_change/",
    ]
    # User names are data the editor typed (the accounts list shows them), not words of the interface.
    check(client, urls, allowed={"editor", "shangcheng", "xihu", "desk"})


def test_the_admin_greets_the_editor_by_name_or_role(client, editor, submitter):
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "欢迎，<strong" in page and ">管理员</strong>。" not in page and ">编辑</strong>。" in page
    assert "无可选的" not in page  # Django's Chinese for an empty 最近动作
    editor.first_name, editor.last_name = "静", "王"
    editor.save()
    assert ">王静</strong>。" in client.get("/admin/").content.decode()
    client.force_login(submitter)
    assert "报送员" in client.get("/submit/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_time_zone_warning_is_in_chinese(browser, live_server, editor):
    """A browser on UTC editing a date and time in the admin is told, in Chinese, to enter 北京时间."""
    context = browser.new_context(locale="zh-CN", timezone_id="UTC", base_url=live_server.url)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "pw-" + editor.username)
    page.locator("input[type=submit]").click()
    page.goto(f"/admin/auth/user/{editor.pk}/change/")
    warning = page.locator(".timezonewarning").first.inner_text()
    context.close()
    assert "北京时间" in warning and "慢 8 小时" in warning and WORD.findall(warning) == []
