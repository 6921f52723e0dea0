def test_seeds_import(all_seeds):
    assert [issue.number for issue in all_seeds] == [4, 2, 9]


def test_admin_login_page_renders_in_chromium(page):
    page.goto("/admin/login/")
    assert "登录" in page.content()
