"""The suite's own arrangements (tests/conftest.py): the slow marks name real tests, and Django's guard against ORM
calls from async code stays on outside the browser tests."""

import importlib
import os

from tests.conftest import SLOW_MODULES, SLOW_TESTS


def test_the_slow_marks_name_tests_that_exist():
    for entry in SLOW_TESTS:
        module, function = entry.split("::")
        assert callable(getattr(importlib.import_module(f"tests.{module}"), function, None)), entry
    for module in SLOW_MODULES:
        importlib.import_module(f"tests.{module}")


def test_orm_calls_from_async_code_are_still_refused_here():
    """The browser tests need DJANGO_ALLOW_ASYNC_UNSAFE while Chromium lives; they run last and put it back."""
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
