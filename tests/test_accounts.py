"""Logging in and out in Chinese, changing a password, and being locked out after repeated failures."""

from django.urls import reverse


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
