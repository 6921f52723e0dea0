"""The network and the distribution depend on reports and issues, never the other way (nor on each other): neither
is imported by them, nor are their URLs or templates named by them or by the shared templates (base.html)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT = re.compile(r"^\s*(from network[\s.]|import network\b)", re.MULTILINE)
URL_NAME = re.compile(r"""['"](admin:)?network[:_]""")


def test_reports_and_issues_never_import_the_network():
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("reports", "issues")
        for path in (ROOT / app).rglob("*.py")
        if IMPORT.search(path.read_text(encoding="utf-8")) or 'apps.get_model("network' in path.read_text()
    ]
    assert offenders == []


def test_reports_and_issues_templates_never_name_the_networks_urls():
    templates = ROOT / "templates"
    offenders = [
        str(path.relative_to(ROOT))
        for path in templates.rglob("*.html")
        if "network" not in path.relative_to(templates).parts and URL_NAME.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


APPS = ("network", "distribution")


def _imports(app: str) -> re.Pattern:
    return re.compile(rf"^\s*(from {app}[\s.]|import {app}\b)", re.MULTILINE)


def test_reports_and_issues_never_import_the_distribution_and_the_two_apps_never_import_each_other():
    pattern = _imports("distribution")
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("reports", "issues", "network")
        for path in (ROOT / app).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    offenders += [
        str(path.relative_to(ROOT))
        for path in (ROOT / "distribution").rglob("*.py")
        if IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_shared_templates_name_neither_apps_urls_nor_templates():
    """base.html's footer gets its 邮件订阅 link from the distribution's context processor, not by URL name."""
    templates = ROOT / "templates"
    offenders = []
    for app in APPS:
        named = re.compile(rf"""['"](admin:)?{app}[:_]|{{%\s*(include|extends)\s+['"]{app}/""")
        offenders += [
            f"{path.relative_to(ROOT)} names {app}"
            for path in templates.rglob("*.html")
            if not set(APPS) & set(path.relative_to(templates).parts) and named.search(path.read_text(encoding="utf-8"))
        ]
    assert offenders == []
