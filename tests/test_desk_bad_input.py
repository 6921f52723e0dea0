"""Odd values posted to the desk's endpoints (hand-made posts, stale pages): a message or a 404, never a 500,
and nothing changed in the issue."""

import pytest
from django.urls import reverse

from issues import services
from tests.desk import make_draft, make_report

ODD = ["abc", "-1", "99999999999999999999999", "1e5", "", " 1", "１", "1;2"]


@pytest.fixture
def desk(client, editor, submitter):
    client.force_login(editor)
    client.raise_request_exception = False
    issue, other = make_draft(), make_draft(number=9, total_number=999)
    mine = make_report(submitter, "本期的文章", status="accepted", editor=editor)
    theirs = make_report(submitter, "另一期的摘登", status="accepted", editor=editor)
    return (
        client,
        issue,
        services.place_report(mine, issue, as_brief=False),
        services.place_report(theirs, other, as_brief=True),
    )


def order(issue):
    return list(issue.piece_set.order_by("kind", "position").values_list("pk", "position", "section", "title", "body"))


@pytest.mark.django_db
def test_odd_values_get_a_message_or_a_404_and_change_nothing(desk):
    client, issue, piece, elsewhere = desk
    before = order(issue)
    answers = []
    for value in ODD:
        for name, data in [
            ("move", {"piece": value, "step": "up"}),
            ("place", {"one": f"{value}:article", f"section-{value}": value}),
            ("place", {"bulk": "brief", "report": [value]}),
            ("arrange", {"group": f"{value}:{piece.pk}", "briefs": value}),
            ("arrange", {"group": f"0:{value}"}),
            ("issue", {"number": value, "total_number": value, "date": value}),
        ]:
            response = client.post(reverse(f"admin:issues_issue_desk_{name}", args=[issue.pk]), data)
            answers.append((name, value, response.status_code))
    assert not [a for a in answers if a[2] >= 500], answers
    # a piece of another issue, posted to this issue's desk
    for name in ("piece", "remove"):
        target = reverse(f"admin:issues_issue_desk_{name}", args=[issue.pk, elsewhere.pk])
        assert client.post(target, {"body": "x"}).status_code == 404
    assert (
        client.post(reverse("admin:issues_issue_desk_move", args=[issue.pk]), {"piece": elsewhere.pk}).status_code
        == 404
    )
    arrange = reverse("admin:issues_issue_desk_arrange", args=[issue.pk])
    assert client.post(arrange, {"group": f"0:{piece.pk},{elsewhere.pk}"}).status_code == 409
    assert order(issue) == before
