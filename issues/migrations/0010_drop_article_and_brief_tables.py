"""The article and brief tables, emptied into `issues_piece` by 0009, go; so do the triggers of 0007, which kept
one piece per report across the two tables (the piece table's unique `report` does it now). `Article` and `Brief`
stay as proxies of the piece table for the admin's two lists."""

from django.db import migrations

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS issues_article_one_piece_per_report ON issues_article;
DROP FUNCTION IF EXISTS issues_article_one_piece_per_report();
DROP TRIGGER IF EXISTS issues_brief_one_piece_per_report ON issues_brief;
DROP FUNCTION IF EXISTS issues_brief_one_piece_per_report();
"""


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [("issues", "0009_copy_articles_and_briefs_into_pieces")]

    operations = [
        migrations.RunPython(drop_triggers),
        migrations.DeleteModel(
            name='HistoricalArticle',
        ),
        migrations.DeleteModel(
            name='HistoricalBrief',
        ),
        migrations.DeleteModel(
            name='Article',
        ),
        migrations.DeleteModel(
            name='Brief',
        ),
        migrations.CreateModel(
            name='Article',
            fields=[
            ],
            options={
                'verbose_name': '文章',
                'verbose_name_plural': '文章',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('issues.piece',),
        ),
        migrations.CreateModel(
            name='Brief',
            fields=[
            ],
            options={
                'verbose_name': '信息摘登',
                'verbose_name_plural': '信息摘登',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('issues.piece',),
        ),    ]
