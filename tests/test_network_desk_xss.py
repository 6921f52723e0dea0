"""Hostile text in what the desk and the network show: report titles and brief leads on the assembly desk, call
topics and guidance, reminder messages. No page lets any of it run: its HTML is checked for live markup, and
the desk and the call pages are opened in Chromium, watching for a dialog or an event-handler attribute."""

import pytest
from django.test import Client
from django.urls import reverse

from issues import services
from network import services as network
from network.models import Call
from reports.models import Report
from tests.desk import make_draft, make_report
from tests.network import make_call
from tests.test_portal_xss import live_markup
from tests.xss_payloads import PAYLOADS

#: The admin's own markup the checker flags: the theme toggle's icons, its same-origin translation catalogue.
ADMINS_OWN = {"<svg>", "<script {'src': '/admin/jsi18n/'}>"}


def hostile(submitter, editor):
    issue = make_draft()
    for i, text in enumerate(PAYLOADS):
        report = make_report(
            submitter, f"{text}标题", status=Report.Status.ACCEPTED, editor=editor, body=f"<p>正文</p><p>{text}</p>"
        )  # a body with text: one the sanitiser empties cannot be submitted
        if i % 3 == 1:
            services.place_report(report, issue, as_brief=False)
        elif i % 3 == 2:
            brief = services.place_report(report, issue, as_brief=True)
            services.edit_piece(brief, by=editor, lead=text[:100])
    calls = []
    for text in PAYLOADS[::4]:
        call = make_call(topic=text[:200], units=[submitter.profile.unit])
        Call.objects.filter(pk=call.pk).update(guidance=text)
        network.remind_by_hand([submitter.profile.unit], by=editor, call=call)
        calls.append(call)
    return issue, calls


def editor_pages(issue, calls, unit):
    pages = [
        reverse("admin:issues_issue_desk", args=[issue.pk]),
        reverse("admin:network_call_changelist"),
        reverse("admin:network_reminder_changelist"),
        reverse("admin:reports_contributor_change", args=[unit.pk]),
        reverse("network:calls"),
    ]
    for call in calls[:4]:
        pages += [
            reverse("admin:network_call_change", args=[call.pk]),
            reverse("admin:network_call_completion", args=[call.pk]),
            reverse("network:call", args=[call.pk]),
        ]
    return pages


def unit_pages(calls):
    return [reverse("network:calls"), reverse("network:reminders")] + [
        reverse("network:call", args=[call.pk]) for call in calls
    ]


@pytest.mark.django_db
def test_no_payload_is_alive_in_the_desk_or_network_pages(submitter, editor):
    issue, calls = hostile(submitter, editor)
    for user, urls in ((editor, editor_pages(issue, calls, submitter.profile.unit)), (submitter, unit_pages(calls))):
        client = Client()
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            alive = live_markup(response.text)
            if url.startswith("/admin/"):
                alive = [item for item in alive if item not in ADMINS_OWN]
            assert alive == [], url


@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_in_chromium_on_the_desk_and_call_pages(page, live_server, submitter, editor):
    issue, calls = hostile(submitter, editor)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    handlers = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
        .filter(a => a.name.startsWith('on') || /^\\s*(javascript|vbscript|data):/i.test(a.value))
        .map(a => el.tagName + ' ' + a.name))"""
    page.goto("/admin/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "pw-" + editor.username)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for url in editor_pages(issue, calls, submitter.profile.unit):
        page.goto(url)
        assert page.evaluate(handlers) == [], url
    # a drop on the desk answers JSON with the moved titles; its message is shown as text
    page.goto(reverse("admin:issues_issue_desk", args=[issue.pk]))
    page.wait_for_timeout(300)
    assert dialogs == []
