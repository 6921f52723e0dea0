"""Who may open each page and endpoint added with the desk, the network and the unit's review chain.

Roles: anonymous, unit A's submitter, unit B's submitter, unit A's reviewer and 签发人, the 研究室's editor. A unit
member never reaches the admin (302 to its login); a page about a call or report not meant for them is a 404.
"""

import pytest
from django.urls import reverse

from network.models import Quota
from reports.models import Profile, UnitRole
from tests.conftest import make_user
from tests.desk import make_draft
from tests.network import make_call

UNIT_A = "上城区人大常委会办公室"
UNIT_B = "西湖区人大常委会办公室"


@pytest.fixture
def people(editor):
    a = make_user("a-clerk", Profile.Role.SUBMITTER, UNIT_A)
    b = make_user("b-clerk", Profile.Role.SUBMITTER, UNIT_B)
    reviewer = make_user("a-reviewer", Profile.Role.SUBMITTER, UNIT_A)
    UnitRole.objects.create(user=reviewer, unit=reviewer.profile.unit, role=UnitRole.Role.REVIEWER)
    signer = make_user("a-signer", Profile.Role.SUBMITTER, UNIT_A)
    UnitRole.objects.create(user=signer, unit=signer.profile.unit, role=UnitRole.Role.UNIT_APPROVER)
    return {"anonymous": None, "a": a, "b": b, "reviewer": reviewer, "signer": signer, "editor": editor}


@pytest.fixture
def objects(people):
    from tests.desk import make_report

    issue = make_draft()
    report = make_report(people["a"], "上城区：一篇已采用的信息", status="accepted", editor=people["editor"])
    from issues import services

    piece = services.place_report(report, issue, as_brief=False)
    call_a = make_call(topic="只发给上城区的约稿", units=[people["a"].profile.unit])
    quota = Quota.objects.create(period="month", target=2)
    return {"issue": issue, "piece": piece, "call": call_a, "quota": quota}


def admin_urls(o):
    issue, piece, call = o["issue"].pk, o["piece"].pk, o["call"].pk
    gets = [
        reverse("admin:issues_issue_desk_start"),
        reverse("admin:issues_issue_desk", args=[issue]),
        reverse("admin:network_call_changelist"),
        reverse("admin:network_call_change", args=[call]),
        reverse("admin:network_call_completion", args=[call]),
        reverse("admin:network_call_completion", args=[call]) + "?export=xlsx",
        reverse("admin:network_quota_changelist"),
        reverse("admin:network_reminder_changelist"),
        reverse("admin:reports_officialname_changelist"),
        reverse("admin:reports_officialname_export"),
        reverse("admin:reports_officialname_import"),
        reverse("admin:reports_leader_export"),
        reverse("admin:reports_wordingrule_import"),
    ]
    posts = [
        reverse("admin:issues_issue_desk_start"),
        reverse("admin:issues_issue_desk_place", args=[issue]),
        reverse("admin:issues_issue_desk_arrange", args=[issue]),
        reverse("admin:issues_issue_desk_move", args=[issue]),
        reverse("admin:issues_issue_desk_briefs", args=[issue]),
        reverse("admin:issues_issue_desk_issue", args=[issue]),
        reverse("admin:issues_issue_desk_piece", args=[issue, piece]),
        reverse("admin:issues_issue_desk_remove", args=[issue, piece]),
        reverse("admin:network_call_remind", args=[call]),
        reverse("admin:reports_officialname_import"),
    ]
    return gets, posts


@pytest.mark.parametrize("role", ["anonymous", "a", "b", "reviewer", "signer"])
def test_units_and_strangers_never_reach_the_new_admin_pages(client, people, objects, role):
    if people[role]:
        client.force_login(people[role])
    gets, posts = admin_urls(objects)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (role, url)
    for url in posts:
        response = client.post(url, {"piece": objects["piece"].pk, "step": "up", "one": "1:brief"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (role, url)
    objects["piece"].refresh_from_db()  # nothing was removed or moved


def test_the_editor_reaches_every_new_admin_page(client, people, objects):
    client.force_login(people["editor"])
    gets, _ = admin_urls(objects)
    for url in gets:
        assert client.get(url, follow=True).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("a", 200), ("b", 404), ("reviewer", 200), ("signer", 200), ("editor", 200)],
)
def test_a_call_is_seen_only_by_the_units_it_is_addressed_to(client, people, objects, role, expected):
    if people[role]:
        client.force_login(people[role])
    call = objects["call"]
    response = client.get(reverse("network:call", args=[call.pk]))
    assert response.status_code == expected
    listing = client.get(reverse("network:calls"))
    if expected == 404:
        assert call.topic not in listing.content.decode()
    doc = client.get(reverse("network:call_document", args=[call.pk]))
    assert doc.status_code in ({302} if role == "anonymous" else {404})  # no document, or not addressed


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("a", 200), ("b", 200), ("editor", 404)])
def test_reminders_page(client, people, objects, role, expected):
    if people[role]:
        client.force_login(people[role])
    assert client.get(reverse("network:reminders")).status_code == expected


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_health_answers_get_and_head_only(db, client, method):
    response = getattr(client, method)(reverse("health"))
    assert response.status_code == (405 if method == "post" else 200)
    if method == "head":
        assert response.content == b""


@pytest.mark.django_db
def test_a_call_document_is_for_the_units_asked_and_the_desk(client, people, objects, settings):
    from django.core.files.base import ContentFile

    from tests.portal import pdf_bytes

    call = objects["call"]
    call.document.save("points.pdf", ContentFile(pdf_bytes()), save=False)
    call.document_name, call.document_type = "报送要点.pdf", "application/pdf"
    call.save()
    url = reverse("network:call_document", args=[call.pk])
    for role, expected in (("a", 200), ("reviewer", 200), ("b", 404), ("editor", 200)):
        client.force_login(people[role])
        assert client.get(url).status_code == expected, role


@pytest.mark.django_db
def test_a_reviewer_cannot_act_on_another_units_report(client, people):
    from reports.models import Report
    from tests.portal import make_report

    unit_b = people["b"].profile.unit
    unit_b.review_required = True
    unit_b.save()
    report = make_report(people["b"], title="西湖区：待审核", status="draft")
    report.transition(Report.Status.IN_REVIEW, by=people["b"], as_editor=False)
    client.force_login(people["reviewer"])  # unit A's reviewer
    response = client.post(reverse("reports:review", args=[report.pk]), {"decision": "pass", "secrecy_declared": "on"})
    assert response.status_code == 404
    assert "西湖区：待审核" not in client.get(reverse("reports:list")).text
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW


@pytest.mark.django_db
def test_every_new_state_changing_endpoint_needs_a_post_with_csrf(people, objects):
    from django.test import Client

    from reports.models import Report
    from tests.portal import make_report

    _, posts = admin_urls(objects)
    editor = Client(enforce_csrf_checks=True)
    editor.force_login(people["editor"])
    for url in posts:
        assert editor.post(url, {"piece": objects["piece"].pk, "step": "up"}).status_code == 403, url
    for url in posts[1:-2]:  # the desk's endpoints answer a GET with 403 too
        assert editor.get(url).status_code == 403, url
    report = make_report(people["a"], title="上城区：草稿", status="draft")
    unit = Client(enforce_csrf_checks=True)
    unit.force_login(people["a"])
    for name in ("submit", "review", "delete"):
        assert unit.post(reverse(f"reports:{name}", args=[report.pk])).status_code == 403, name
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT
