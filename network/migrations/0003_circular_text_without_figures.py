"""The figures sentence is no longer kept in a circular's text (it is summed from the table when shown): drop the
one the old default text wrote, so that it is not stated twice, possibly with other figures."""

import re

from django.db import migrations

OLD_FIGURES = re.compile(r"，共报送信息\d+篇，《杭州人大信息》刊用文章\d+篇、信息摘登\d+则(?:，获领导批示\d+件)?。")


def drop_figures(apps, schema_editor):
    Circular = apps.get_model("network", "Circular")
    for circular in Circular.objects.only("text"):
        text = OLD_FIGURES.sub("。", circular.text, count=1)
        if text != circular.text:
            Circular.objects.filter(pk=circular.pk).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("network", "0002_scoring_instructions_circulars")]

    operations = [migrations.RunPython(drop_figures, migrations.RunPython.noop)]
