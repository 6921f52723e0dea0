"""What readers see: corrections after publication, briefs named by their words, the phone layout, the favicon,
the feed's name, a 目录 that never leaves one character alone on a line."""

import re


def test_pages_link_a_favicon_and_favicon_ico_leads_to_it(client, db):
    page = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', page)
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
