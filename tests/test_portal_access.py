"""Every portal URL against anonymous, own-unit submitter, other-unit submitter and editor."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import Attachment, Report
from tests.portal import make_report, png_bytes, upload

ROLES = ["anonymous", "own", "other", "editor"]

# url name → (method, expected status per role); 302 for anonymous means "to the login page".
MATRIX = {
    "list": ("get", {"anonymous": 302, "own": 200, "other": 200, "editor": 200}),
    "new": ("get", {"anonymous": 302, "own": 200, "other": 200, "editor": 404}),
    "notifications": ("get", {"anonymous": 302, "own": 200, "other": 200, "editor": 404}),
    "detail": ("get", {"anonymous": 302, "own": 200, "other": 404, "editor": 200}),
    "draft_detail": ("get", {"anonymous": 302, "own": 200, "other": 404, "editor": 404}),
    "edit": ("get", {"anonymous": 302, "own": 200, "other": 404, "editor": 404}),
    "version": ("get", {"anonymous": 302, "own": 200, "other": 404, "editor": 200}),
    "attachment": ("get", {"anonymous": 302, "own": 200, "other": 404, "editor": 200}),
    "comment": ("post", {"anonymous": 302, "own": 302, "other": 404, "editor": 302}),
    "submit": ("post", {"anonymous": 302, "own": 302, "other": 404, "editor": 404}),
    "delete": ("post", {"anonymous": 302, "own": 302, "other": 404, "editor": 404}),
    "attachment_delete": ("post", {"anonymous": 302, "own": 302, "other": 404, "editor": 404}),
    "upload_image": ("post", {"anonymous": 403, "own": 200, "other": 200, "editor": 200}),
    "password_change": ("get", {"anonymous": 302, "own": 200, "other": 200, "editor": 200}),
}


@pytest.fixture
def world(submitter, other_submitter, editor):
    """A draft and a returned report (with an attachment and one version) of the shangcheng unit."""
    draft = make_report(submitter, title="草稿信息")
    returned = make_report(submitter, title="退回信息", status="returned")
    attachment = Attachment(report=returned, original_name="照片.png", kind="image", content_type="image/png", size=10)
    attachment.file.save("x.png", upload("x.png", png_bytes()), save=False)
    attachment.save()
    users = {"anonymous": None, "own": submitter, "other": other_submitter, "editor": editor}
    return draft, returned, attachment, users


def url_for(name, draft, returned, attachment):
    return {
        "list": reverse("reports:list"),
        "new": reverse("reports:new"),
        "notifications": reverse("reports:notifications"),
        "detail": reverse("reports:detail", args=[returned.pk]),
        "draft_detail": reverse("reports:detail", args=[draft.pk]),
        "edit": reverse("reports:edit", args=[draft.pk]),
        "version": reverse("reports:version", args=[returned.pk, 1]),
        "attachment": reverse("reports:attachment", args=[returned.pk, attachment.pk]),
        "comment": reverse("reports:detail", args=[returned.pk]),
        "submit": reverse("reports:submit", args=[returned.pk]),
        "delete": reverse("reports:delete", args=[draft.pk]),
        "attachment_delete": reverse("reports:attachment_delete", args=[returned.pk, attachment.pk]),
        "upload_image": reverse("reports:upload_image"),
        "password_change": reverse("password_change"),
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_portal_url_access(client, world, name, role):
    draft, returned, attachment, users = world
    method, expected = MATRIX[name]
    if users[role]:
        client.force_login(users[role])
    url = url_for(name, draft, returned, attachment)
    if method == "get":
        response = client.get(url)
    elif name == "upload_image":
        response = client.post(url, {"upload": upload("a.png", png_bytes())})
    else:
        response = client.post(url, {"body": "请问数据来源？"})
    assert response.status_code == expected[role], (name, role)
    if role == "anonymous" and expected[role] == 302:
        assert response["Location"].startswith("/accounts/login/?next=")
    if expected[role] == 404:
        # Refused requests change nothing.
        assert Report.objects.filter(pk=draft.pk).exists()
        assert Report.objects.get(pk=returned.pk).status == Report.Status.RETURNED
        assert Attachment.objects.filter(pk=attachment.pk).exists()
        assert not returned.comments.exists()


def test_list_shows_only_own_units_reports(client, world, other_submitter):
    client.force_login(other_submitter)
    make_report(other_submitter, title="西湖区的信息")
    content = client.get(reverse("reports:list")).content.decode()
    assert "西湖区的信息" in content
    assert "草稿信息" not in content and "退回信息" not in content


def test_editor_list_shows_every_unit_but_no_drafts(client, world, editor, other_submitter):
    make_report(other_submitter, title="西湖区的信息", status="submitted")
    client.force_login(editor)
    content = client.get(reverse("reports:list")).content.decode()
    assert "西湖区的信息" in content and "退回信息" in content
    assert "草稿信息" not in content


def test_other_units_ids_are_not_reachable_through_own_report_urls(client, world, other_submitter):
    """An attachment id from another unit's report is a 404 even under a report the user may see."""
    _, _, attachment, _ = world
    own = make_report(other_submitter, title="西湖区的信息")
    client.force_login(other_submitter)
    assert client.get(reverse("reports:attachment", args=[own.pk, attachment.pk])).status_code == 404
    assert client.post(reverse("reports:attachment_delete", args=[own.pk, attachment.pk])).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_user_without_unit_or_role_sees_nothing(client, world, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x")
    client.force_login(stranger)
    assert client.get(reverse("reports:list")).status_code == 404
    assert client.get(reverse("reports:detail", args=[world[0].pk])).status_code == 404


@pytest.mark.parametrize("name", [name for name, (method, _) in MATRIX.items() if method == "post"])
def test_every_post_needs_the_csrf_token(world, name):
    draft, returned, attachment, users = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["own"])
    response = client.post(url_for(name, draft, returned, attachment), {"body": "留言"})
    assert response.status_code == 403
    assert Report.objects.filter(pk=draft.pk).exists() and not returned.comments.exists()
