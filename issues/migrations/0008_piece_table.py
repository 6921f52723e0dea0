"""Articles and briefs become one table, `issues_piece`, with a kind: created here, filled by the next migration
(0009), and the old tables dropped by 0010. Each step is its own transaction."""

import django.contrib.postgres.search
import django.db.models.constraints
import django.db.models.deletion
import issues.search
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('issues', '0007_one_piece_per_report'),
        ('reports', '0005_portal_constraints'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalPiece',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('article', '文章'), ('brief', '信息摘登')], default='article', max_length=10, verbose_name='类别')),
                ('title', models.CharField(blank=True, help_text='文章的标题；信息摘登没有标题', max_length=200, verbose_name='标题')),
                ('lead', models.CharField(blank=True, help_text='信息摘登开头加粗的主体，如“上城区人大常委会”', max_length=100, verbose_name='加粗开头')),
                ('body', models.TextField(help_text='HTML，保存时清洗；信息摘登为一段文字（不含加粗开头）', verbose_name='正文')),
                ('authors', models.CharField(blank=True, help_text='多位作者以空格分隔', max_length=200, verbose_name='作者')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='顺序')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 稿件',
                'verbose_name_plural': 'historical 稿件',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Piece',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('article', '文章'), ('brief', '信息摘登')], default='article', max_length=10, verbose_name='类别')),
                ('title', models.CharField(blank=True, help_text='文章的标题；信息摘登没有标题', max_length=200, verbose_name='标题')),
                ('lead', models.CharField(blank=True, help_text='信息摘登开头加粗的主体，如“上城区人大常委会”', max_length=100, verbose_name='加粗开头')),
                ('body', models.TextField(help_text='HTML，保存时清洗；信息摘登为一段文字（不含加粗开头）', verbose_name='正文')),
                ('authors', models.CharField(blank=True, help_text='多位作者以空格分隔', max_length=200, verbose_name='作者')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='顺序')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('search_text', issues.search.SegmentedTextField(blank=True, editable=False, verbose_name='检索分词')),
                ('search_vector', models.GeneratedField(db_persist=True, expression=issues.search.SearchText('search_text'), output_field=django.contrib.postgres.search.SearchVectorField())),
            ],
            options={
                'verbose_name': '稿件',
                'verbose_name_plural': '稿件',
                'ordering': ['issue', 'kind', 'position'],
            },
        ),
        migrations.AddField(
            model_name='historicalpiece',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalpiece',
            name='issue',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='issues.issue', verbose_name='期'),
        ),
        migrations.AddField(
            model_name='historicalpiece',
            name='report',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report', verbose_name='来源报送'),
        ),
        migrations.AddField(
            model_name='historicalpiece',
            name='section',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='issues.section', verbose_name='栏目'),
        ),
        migrations.AddField(
            model_name='historicalpiece',
            name='unit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.contributor', verbose_name='单位'),
        ),
        migrations.AddField(
            model_name='piece',
            name='issue',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='piece_set', to='issues.issue', verbose_name='期'),
        ),
        migrations.AddField(
            model_name='piece',
            name='report',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='printed_piece', to='reports.report', verbose_name='来源报送'),
        ),
        migrations.AddField(
            model_name='piece',
            name='section',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='pieces', to='issues.section', verbose_name='栏目'),
        ),
        migrations.AddField(
            model_name='piece',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pieces', to='reports.contributor', verbose_name='单位'),
        ),
        migrations.AddIndex(
            model_name='piece',
            index=issues.search.SearchIndex(fields=['search_vector'], name='piece_search'),
        ),
        migrations.AddConstraint(
            model_name='piece',
            constraint=models.UniqueConstraint(deferrable=django.db.models.constraints.Deferrable['DEFERRED'], fields=('issue', 'kind', 'position'), name='piece_unique_position_in_issue'),
        ),
        migrations.AddConstraint(
            model_name='piece',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'article'), models.Q(('title', ''), _negated=True), ('lead', '')), models.Q(('kind', 'brief'), ('section__isnull', True), ('title', '')), _connector='OR'), name='piece_kind_fields', violation_error_message='文章须有标题、没有加粗开头；信息摘登没有栏目和标题。'),
        ),
    ]
