from django.db import migrations

GROUPS = ["市人大常委会组成人员", "各区县人大常委会", "市人大各专门委员会", "常委会各工作机构"]


def seed(apps, schema_editor):
    group = apps.get_model("distribution", "SubscriberGroup")
    for position, name in enumerate(GROUPS, start=1):
        group.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_distribution_list_and_mailings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
