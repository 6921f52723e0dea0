"""Logging in and out in Chinese, changing a password, and being locked out after repeated failures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_anonymous_user_is_sent_to_chinese_login_and_back(client, submitter):
    response = client.get(reverse("reports:list"))
    assert response["Location"] == "/accounts/login/?next=/submit/"
    page = client.get(response["Location"]).content.decode()
    assert "登录信息报送系统" in page and "用户名" in page and "csrfmiddlewaretoken" in page
    response = client.post("/accounts/login/?next=/submit/", {"username": "shangcheng", "password": "pw-shangcheng",
                                                             "next": "/submit/"})  # fmt: skip
    assert response["Location"] == "/submit/"


def test_wrong_password_says_what_to_do(client, submitter):
    response = client.post(reverse("login"), {"username": "shangcheng", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_out_and_say_when_to_retry(client, submitter, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "shangcheng", "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": "shangcheng", "password": "wrong"})
    assert response.status_code == 429
    content = response.content.decode()
    assert "暂时锁定" in content and "请在 15 分钟后再试" in content
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "shangcheng", "password": "pw-shangcheng"})
    assert response.status_code == 429


def test_logout_is_a_post_and_ends_the_session(client, submitter):
    client.force_login(submitter)
    assert "退出" in client.get(reverse("reports:list")).content.decode()
    response = client.post(reverse("logout"))
    assert "已退出登录" in response.content.decode()
    assert client.get(reverse("reports:list")).status_code == 302


def test_password_change(client, submitter):
    client.force_login(submitter)
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "旧密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-shangcheng", "new_password1": "Xihu-lake-2026", "new_password2": "Xihu-lake-2026"},
    )
    assert response["Location"] == reverse("password_change_done")
    submitter.refresh_from_db()
    assert submitter.check_password("Xihu-lake-2026")


def test_password_change_errors_in_chinese(client, submitter):
    client.force_login(submitter)
    response = client.post(
        reverse("password_change"), {"old_password": "nope", "new_password1": "123", "new_password2": "456"}
    )
    content = response.content.decode()
    assert "你的旧密码不正确" in content or "旧密码不正确" in content


def test_session_ends_with_the_browser_and_after_a_working_day(client, submitter):
    client.force_login(submitter)
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() <= 8 * 60 * 60


def _fail(client, username, address, n, **headers):
    return [
        client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=address, **headers)
        for _ in range(n)
    ]


def test_made_up_user_names_from_one_address_do_not_lock_anyone_else(client, editor, settings):
    """Behind one nginx every client shares an address: guessing names there must not deny the editor's login."""
    for i in range(3):
        _fail(client, f"nobody{i}", "127.0.0.1", settings.AXES_FAILURE_LIMIT)
    right = {"username": "editor", "password": "pw-editor", "next": "/admin/"}
    response = client.post("/admin/login/?next=/admin/", right, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_editors_own_failures_lock_only_the_editor_from_that_address(client, editor, submitter, settings):
    responses = _fail(client, "editor", "10.1.1.1", settings.AXES_FAILURE_LIMIT)
    assert responses[-1].status_code == 429
    message = responses[-1].content.decode()
    assert "以用户名“editor”登录已连续失败 5 次" in message and "该用户名在此地址暂时锁定" in message
    assert "请在 15 分钟后再试" in message
    right = {"username": "editor", "password": "pw-editor"}
    assert client.post(reverse("login"), right, REMOTE_ADDR="10.1.1.1").status_code == 429
    # Someone else at that address, and the editor from another one, still log in.
    other = client.post(
        reverse("login"), {"username": "shangcheng", "password": "pw-shangcheng"}, REMOTE_ADDR="10.1.1.1"
    )
    assert other.status_code == 302
    client.logout()
    assert client.post(reverse("login"), right, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_behind_a_trusted_proxy_the_lock_follows_the_forwarded_client(client, editor, settings):
    """With TRUSTED_PROXY_COUNT=1 the client is the address nginx appended; what a client wrote itself is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    right = {"username": "editor", "password": "pw-editor"}
    _fail(client, "editor", "127.0.0.1", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.1.1")
    locked = client.post(reverse("login"), right, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1")
    assert locked.status_code == 429
    # A spoofed left-hand entry does not move the attacker to another key, and the editor elsewhere logs in.
    spoofed = client.post(reverse("login"), right, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.2.2.2, 10.1.1.1")
    assert spoofed.status_code == 429
    elsewhere = client.post(reverse("login"), right, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.2.2.2")
    assert elsewhere.status_code == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_not_believed(client, editor, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    _fail(client, "editor", "10.1.1.1", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="10.9.9.9")
    response = client.post(
        reverse("login"), {"username": "editor", "password": "pw-editor"}, REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="10.8.8.8",
    )  # fmt: skip
    assert response.status_code == 429


@pytest.mark.parametrize("value", ["two", "-1"])
def test_a_bad_trusted_proxy_count_stops_the_start(value):
    env = os.environ | {"TRUSTED_PROXY_COUNT": value, "SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "renda.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode != 0 and "TRUSTED_PROXY_COUNT" in result.stderr
