"""With DEBUG off, errors get the site's Chinese pages, not Django's English ones."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path


def raises_bad_request(request):
    raise BadRequest("bad")


def raises_permission_denied(request):
    raise PermissionDenied


def raises_error(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("boom/400/", raises_bad_request),
    path("boom/403/", raises_permission_denied),
    path("boom/500/", raises_error),
    path("", include("renda.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def assert_chinese_error_page(response, status, heading):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert heading in html
    assert "杭州人大信息" in html and "返回首页" in html  # the site's header and a way on
    for english in ("Not Found", "Server Error", "Bad Request", "Forbidden", "The requested resource"):
        assert english not in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/boom/400/", 400, "请求有误"),
        ("/boom/403/", 403, "无权访问此页面"),
        ("/no-such-page/", 404, "找不到这个页面"),
        ("/boom/500/", 500, "服务器出了点问题"),
    ],
)
def test_each_error_renders_in_chinese(url, status, heading):
    client = Client(raise_request_exception=False)
    assert_chinese_error_page(client.get(url), status, heading)


@override_settings(DEBUG=False)
def test_an_anonymous_preview_url_shows_the_chinese_404(draft_issue):
    client = Client(raise_request_exception=False)
    response = client.get(f"/preview/issues/{draft_issue.pk}/")
    assert_chinese_error_page(response, 404, "找不到这个页面")


@override_settings(DEBUG=False)
def test_a_form_posted_without_its_csrf_token_gets_the_chinese_403(submitter):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(submitter)
    response = client.post("/submit/new/", {"title": "x"})
    assert_chinese_error_page(response, 403, "页面已过期，请刷新后重试")
