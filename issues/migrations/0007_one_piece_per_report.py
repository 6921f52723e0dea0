"""One report becomes at most one piece, across both tables.

Each of Article.report and Brief.report is unique by itself (OneToOneField); a trigger on PostgreSQL refuses a
report already used by the other table, so the invariant holds in the database whatever code writes the rows.
SQLite (the demo default) relies on the check in `issues.services.place_report`.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION issues_one_piece_per_report() RETURNS trigger AS $$
BEGIN
    IF NEW.report_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM {other} WHERE report_id = NEW.report_id
    ) THEN
        RAISE EXCEPTION 'report %% is already placed as another piece', NEW.report_id
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def sql_for(table: str, other: str) -> tuple[str, str]:
    function = f"issues_{table}_one_piece_per_report"
    create = FUNCTION.replace("issues_one_piece_per_report", function).format(other=f"issues_{other}")
    create += (
        f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF report_id ON issues_{table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}();"
    )
    drop = f"DROP TRIGGER IF EXISTS {function} ON issues_{table}; DROP FUNCTION IF EXISTS {function}();"
    return create, drop


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, other in (("article", "brief"), ("brief", "article")):
            schema_editor.execute(sql_for(table, other)[0])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, other in (("article", "brief"), ("brief", "article")):
            schema_editor.execute(sql_for(table, other)[1])


class Migration(migrations.Migration):
    dependencies = [("issues", "0006_history_content_version")]
    operations = [migrations.RunPython(forwards, backwards)]
