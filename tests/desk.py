"""Builders for the editor's desk tests: reports moved through the real workflow, draft issues."""

import datetime

from issues.models import Issue
from reports.models import Report


def make_report(user, title="一篇信息", *, status=Report.Status.SUBMITTED, editor=None, body=None, **fields):
    """A report of `user`'s unit, taken to `status` through `Report.transition` (so events and versions exist)."""
    report = Report.objects.create(
        unit=user.profile.unit,
        title=title,
        body=body if body is not None else f"<p>{title}的正文。一是……二是……</p>",
        authors="张三 李四",
        created_by=user,
        **fields,
    )
    if status == Report.Status.DRAFT:
        return report
    report.transition(Report.Status.SUBMITTED, by=user, secrecy_declared=True)
    if status == Report.Status.SUBMITTED:
        return report
    report.transition(status, by=editor, comment="请补充数据" if status in Report.NEEDS_COMMENT else "")
    return report


def make_draft(kind=Issue.Kind.REGULAR, date=datetime.date(2024, 5, 10), **fields) -> Issue:
    return Issue.objects.create(**(Issue.proposal(kind, date) | fields))
