"""Copy every article and brief, and their history rows, into the one piece table.

Articles keep their ids (their URLs are the ones in the sitemap and in readers' links). Briefs are numbered after
the highest id of either table, so an old /briefs/<id>/ link finds an article (kind mismatch: 404) or nothing,
never another brief. A brief's body opened with its lead in bold (`<p><strong>…</strong>…`), or, imported from a
printed issue, with the body's name in plain text: the lead moves to its own field, the body keeps the rest.
"""

import re

from django.db import migrations

ARTICLE_COLUMNS = "issue_id, section_id, title, body, unit_id, authors, position, report_id, created_at, updated_at"
HISTORY_COLUMNS = "history_date, history_change_reason, history_type, history_user_id"

_PLACES = "上城区|拱墅区|西湖区|滨江区|萧山区|余杭区|临平区|钱塘区|富阳区|临安区|桐庐县|淳安县|建德市"
_NAME = r"(?![的了和与及对在把将向为以从由组召开展聚围坚深积充立探推加始紧])[\u4e00-\u9fff]"
# The printed lead of a brief imported without its bold (the pattern of issues/leads.py, as of this migration).
_PLAIN_LEAD = re.compile(
    rf"^<p>((?:杭州市)?(?:{_PLACES}|市)(?:人大常委会(?:{_NAME}{{1,12}}?(?:街道工委|工委|办公室|委员会|研究室))?"
    rf"|{_NAME}{{1,10}}?(?:街道|镇|乡)人大(?:街道工委|工委|主席团)?))"
)
_BOLD_LEAD = re.compile(r"^<p>\s*<strong>([^<]{1,100})</strong>")


def split_lead(body: str) -> tuple[str, str]:
    for pattern in (_BOLD_LEAD, _PLAIN_LEAD):
        match = pattern.match(body or "")
        if match:
            return match.group(1).strip(), "<p>" + body[match.end() :]
    return "", body


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM issues_article")
        (max_article,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM issues_brief")
        (max_brief,) = cursor.fetchone()
        offset = max(max_article, max_brief)

        cursor.execute(
            f"INSERT INTO issues_piece (id, kind, lead, search_text, {ARTICLE_COLUMNS}) "
            f"SELECT id, 'article', '', search_text, {ARTICLE_COLUMNS} FROM issues_article"
        )
        cursor.execute(
            f"INSERT INTO issues_historicalpiece (id, kind, lead, history_id, {ARTICLE_COLUMNS}, {HISTORY_COLUMNS}) "
            f"SELECT id, 'article', '', history_id, {ARTICLE_COLUMNS}, {HISTORY_COLUMNS} FROM issues_historicalarticle"
        )
        cursor.execute("SELECT COALESCE(MAX(history_id), 0) FROM issues_historicalarticle")
        (history_offset,) = cursor.fetchone()

        brief_columns = "issue_id, body, unit_id, authors, position, report_id, created_at, updated_at"
        cursor.execute(f"SELECT id, search_text, {brief_columns} FROM issues_brief")
        for row in cursor.fetchall():
            brief_id, search_text, issue_id, body, *rest = row
            lead, body = split_lead(body)
            cursor.execute(
                f"INSERT INTO issues_piece (id, kind, title, section_id, lead, search_text, {brief_columns}) "
                "VALUES (%s, 'brief', '', NULL, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [brief_id + offset, lead, search_text, issue_id, body, *rest],
            )
        cursor.execute(f"SELECT id, history_id, {brief_columns}, {HISTORY_COLUMNS} FROM issues_historicalbrief")
        for row in cursor.fetchall():
            brief_id, history_id, issue_id, body, *rest = row
            lead, body = split_lead(body)
            cursor.execute(
                f"INSERT INTO issues_historicalpiece (id, history_id, kind, title, section_id, lead, {brief_columns}, "
                f"{HISTORY_COLUMNS}) VALUES (%s, %s, 'brief', '', NULL, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [brief_id + offset, history_id + history_offset, lead, issue_id, body, *rest],
            )
        if connection.vendor == "postgresql":
            for table, column in (("issues_piece", "id"), ("issues_historicalpiece", "history_id")):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"(SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)"
                )


class Migration(migrations.Migration):
    dependencies = [("issues", "0008_piece_table")]
    operations = [migrations.RunPython(forwards)]  # one way: the old tables are gone after 0010
