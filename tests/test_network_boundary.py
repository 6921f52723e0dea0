"""The network depends on reports and issues, never the other way: neither imports it nor names its URLs."""

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
