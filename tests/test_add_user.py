"""`manage.py add_user`: accounts for units' submitters, editors and approvers."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from reports.models import Contributor, District, Profile


def run(*args) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_submitter_with_new_unit_in_its_district(db):
    output = run(
        "binjiang1",
        *("--unit", "滨江区人大常委会西兴街道工委", "--new-unit"),
        *("--role", "submitter", "--password", "Qiantang-2026!"),
    )
    user = User.objects.get(username="binjiang1")
    assert user.check_password("Qiantang-2026!") and not user.is_staff
    unit = user.profile.unit
    assert unit.name == "滨江区人大常委会西兴街道工委" and unit.district == District.BINJIANG
    assert "密码：" not in output


def test_existing_unit_is_reused(db):
    unit = Contributor.objects.get(name="上城区人大常委会")
    run("sc", "--unit", "上城区人大常委会", "--password", "Qiantang-2026!")
    assert User.objects.get(username="sc").profile.unit == unit
    assert Contributor.objects.filter(name="上城区人大常委会").count() == 1


def test_generated_password_is_printed_and_works(db):
    output = run("editor2", "--role", "editor")
    password = output.split("密码：")[1].strip()
    user = User.objects.get(username="editor2")
    assert user.check_password(password) and user.is_staff
    assert user.profile.role == Profile.Role.EDITOR and user.profile.is_editor


def test_submitter_needs_a_unit_and_names_are_unique(db):
    with pytest.raises(CommandError, match="--unit"):
        run("nobody", "--role", "submitter")
    run("dup", "--unit", "研究室", "--password", "Qiantang-2026!")
    with pytest.raises(CommandError, match="已存在"):
        run("dup", "--unit", "研究室")
    assert not User.objects.filter(username="nobody").exists()


def test_weak_password_is_refused(db):
    with pytest.raises(CommandError, match="密码不符合要求"):
        run("weak", "--unit", "研究室", "--password", "123")
    assert not User.objects.filter(username="weak").exists()


def test_an_unknown_unit_is_refused_with_the_closest_names(submitter):
    """A typo would make a unit of its own, listed in every call's matrix, the 通报's 未报送 units and the filters."""
    units_before = Contributor.objects.count()
    with pytest.raises(CommandError, match="没有名为“上城区人大常委办公室”的报送单位") as refused:
        run("sc2", "--unit", "上城区人大常委办公室", "--password", "Qiantang-2026!")
    message = str(refused.value)
    assert "相近的单位：上城区人大常委会办公室" in message and "--new-unit" in message and "上城区" in message
    with pytest.raises(CommandError, match=r"相近的单位：.*上城区人大常委会"):
        run("sc2", "--unit", "上城区", "--role", "reviewer")  # a short form
    run("clerk", "--unit", "上城区人大常委会办公室", "--password", "Qiantang-2026!")
    with pytest.raises(CommandError, match="没有名为"):
        run("clerk", "--unit", "上城区人大常委办公室", "--role", "reviewer")
    assert Contributor.objects.count() == units_before
    assert not User.objects.filter(username="sc2").exists()

    output = run("sc2", "--unit", "上城区人大常委会街道工委", "--new-unit", "--password", "Qiantang-2026!")
    assert "已新建报送单位 上城区人大常委会街道工委（上城区）" in output
    assert User.objects.get(username="sc2").profile.unit.district == District.SHANGCHENG
