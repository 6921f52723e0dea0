"""The sections (栏目) printed in 2024; 信息摘登 is not one: briefs have their own model."""

from django.db import migrations

SECTIONS = ["要闻速递", "助力攻坚", "监督纵横", "代表工作", "情况交流"]


def seed(apps, schema_editor):
    Section = apps.get_model("issues", "Section")
    for position, name in enumerate(SECTIONS, start=1):
        Section.objects.get_or_create(name=name, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("issues", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
