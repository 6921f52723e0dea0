"""Hostile input through every field a unit or an editor types, and no page of the portal lets any of it run.

Each payload goes through the title, body, authors, phone, an attachment's file name, an editor's return reason
and the comments of both sides (rotated over the reports, so every payload meets every field). Each page is then
checked twice: its HTML for anything executable, and in Chromium for a dialog or an event-handler attribute.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import Report
from tests import pdftools
from tests.portal import png_bytes, upload
from tests.xss_payloads import PAYLOADS

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "poster", "xlink:href", "srcdoc"}
NEVER = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "svg", "math", "style", "template"}
SAFE_STYLE = re.compile(r"^width:\d{1,3}(\.\d+)?%$")
BAD_URL = re.compile(r"^(javascript|vbscript|data):", re.I)


class LiveMarkup(HTMLParser):
    """Collects every construct in a page that could run script or hide content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.alive: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = True
        if tag == "script" and not (
            (attrs.get("src") or "").startswith("/static/") or attrs.get("type") == "application/json"
        ):
            self.alive.append(f"<script {attrs}>")
        if tag in NEVER:
            self.alive.append(f"<{tag}>")
        if tag in {"meta", "link"} and not self.in_head:
            self.alive.append(f"<{tag}> in body")
        href = attrs.get("href") or ""
        if tag == "link" and not (href.startswith("/") and not href.startswith("//")):  # the site's own links
            self.alive.append(f"<link {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.alive.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value and BAD_URL.match(re.sub(r"[\x00-\x20]", "", value)):
                self.alive.append(f"<{tag} {name}={value!r}>")
            if name == "style" and not SAFE_STYLE.match(value or ""):
                self.alive.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    return parser.alive


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


def build_hostile_reports(submitter, editor) -> list[Report]:
    """One report per payload, entered through the portal's own forms, then returned by the editor."""
    unit_client, desk_client = Client(), Client()
    unit_client.force_login(submitter)
    desk_client.force_login(editor)
    for i in range(len(PAYLOADS)):
        response = unit_client.post(
            reverse("reports:new"),
            {
                "title": payload(i),
                "body": "<p>正文。</p>" + payload(i + 1),
                "authors": payload(i + 2),
                "phone": payload(i + 3)[:50],
                "suggested_section": "",
                "action": "submit",
                "secrecy_declared": "on",
                "attachments": [upload(payload(i + 4)[:60] + ".png", png_bytes())],
            },
        )
        assert response.status_code == 302, i
    reports = list(Report.objects.order_by("pk"))
    for i, report in enumerate(reports):
        report.transition(Report.Status.RETURNED, by=editor, comment=payload(i + 5))
        unit_client.post(reverse("reports:detail", args=[report.pk]), {"body": payload(i + 6)})
        desk_client.post(reverse("reports:detail", args=[report.pk]), {"body": payload(i + 7)})
    return reports


def portal_pages(reports) -> list[str]:
    pages = [reverse("reports:list"), reverse("reports:notifications")]
    pages += [f"{reverse('reports:list')}?page={n}" for n in (2, 3)]
    for report in reports:
        pages += [
            reverse("reports:detail", args=[report.pk]),
            reverse("reports:edit", args=[report.pk]),
            reverse("reports:version", args=[report.pk, 1]),
        ]
    return pages


def test_there_are_at_least_fifty_payloads():
    assert len(set(PAYLOADS)) >= 50


def test_no_payload_is_alive_in_any_page_html(client, submitter, editor):
    reports = build_hostile_reports(submitter, editor)
    client.force_login(submitter)
    checked = 0
    for url in portal_pages(reports):
        response = client.get(url)
        assert response.status_code == 200, url
        assert live_markup(response.content.decode()) == [], url
        checked += 1
    client.force_login(editor)
    for url in [reverse("reports:list")] + [reverse("reports:detail", args=[r.pk]) for r in reports]:
        assert live_markup(client.get(url).content.decode()) == [], url
    assert checked == 4 + 3 * len(PAYLOADS)


def test_stored_text_is_sanitised_and_escaped(submitter, editor):
    reports = build_hostile_reports(submitter, editor)
    for report in reports:
        assert "<script" not in report.body.lower() and "onerror" not in report.body.lower()
        assert "javascript:" not in report.body.lower()
        for attachment in report.attachments.all():
            assert "/" not in attachment.original_name and "<" not in attachment.original_name


def test_checker_finds_live_markup():
    """The HTML check above would see a payload that got through."""
    assert live_markup('<p><img src=x onerror="alert(1)"></p>')
    assert live_markup('<a href=" jav&#x09;ascript:alert(1)">x</a>')
    assert live_markup("<script>alert(1)</script>")
    assert live_markup('<p style="display:none">x</p>')
    assert not live_markup('<figure class="image" style="width:50%"><img src="/media/a.png"></figure>')


@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_in_chromium(page, live_server, submitter, editor):
    reports = build_hostile_reports(submitter, editor)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/accounts/login/")
    page.fill("#id_username", submitter.username)
    page.fill("#id_password", "pw-" + submitter.username)
    page.click("button[type=submit]")
    page.wait_for_url("**/submit/")
    handlers = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
        .filter(a => a.name.startsWith('on') || /^\\s*(javascript|vbscript|data):/i.test(a.value))
        .map(a => el.tagName + ' ' + a.name))"""
    for url in portal_pages(reports):
        page.goto(url)
        if "/edit/" in url:
            page.wait_for_selector(".ck-editor__editable")
        assert page.evaluate(handlers) == [], url
    page.wait_for_timeout(300)
    assert dialogs == []


def test_no_payload_is_alive_once_printed(client, submitter, editor, tmp_path):
    """Hostile reports accepted, placed (as articles and briefs) and published: the public pages and the PDF."""
    from issues import services
    from issues.models import Issue, Section
    from issues.pdf import render_issue_pdf

    reports = build_hostile_reports(submitter, editor)
    issue = Issue.objects.create(**Issue.proposal(Issue.Kind.REGULAR, datetime.date(2024, 6, 1)))
    section = Section.objects.get(name="要闻速递")
    for i, report in enumerate(reports):
        report.transition(Report.Status.SUBMITTED, by=submitter, secrecy_declared=True)
        report.transition(Report.Status.ACCEPTED, by=editor)
        services.place_report(report, issue, as_brief=i % 2 == 1, section=section, brief_text=payload(i + 8))
    issue = services.publish(issue, by=editor)

    pages = [issue.get_absolute_url(), "/", "/articles/", f"/search/?q={payload(0)}"]
    pages += [piece.get_absolute_url() for piece in issue.piece_set.all()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert live_markup(response.content.decode()) == [], url

    pdf = tmp_path / "issue.pdf"
    pdf.write_bytes(render_issue_pdf(issue))
    raw = pdf.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw and b"/Launch" not in raw
    assert b"javascript:" not in raw.lower()
    links = re.findall(rb"/URI\s*\(([^)]*)\)", raw)
    assert all(link.startswith((b"http", b"/", b"#", b"mailto:")) for link in links), links
    assert len(pdftools.pdftotext(pdf)) > 1000  # the pieces were printed, escaped, not dropped
