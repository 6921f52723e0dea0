"""`make run`'s demo data: the demo accounts are people with names, so pages show 张明, not a login name."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from reports.models import Report, ReportEvent, display_name


@pytest.mark.django_db
def test_the_demo_accounts_have_names_shown_in_the_timeline():
    call_command("load_demo", stdout=io.StringIO())
    names = dict(User.objects.values_list("username", "first_name"))
    assert names["editor"] and names["shangcheng"] and names["xihu"]
    sent = ReportEvent.objects.filter(to_status=Report.Status.SUBMITTED, actor__username="shangcheng").first()
    assert sent.declaration and display_name(sent.actor) == names["shangcheng"] != "shangcheng"
    # Safe to run again: the accounts stay as they are.
    call_command("load_demo", stdout=io.StringIO())
    assert dict(User.objects.values_list("username", "first_name")) == names
