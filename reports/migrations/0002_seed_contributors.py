"""The 13 district committees and the city-level units seen in the printed issues."""

from django.db import migrations

CITY_UNITS = ["研究室", "代表工委", "法工委", "预算工委"]
DISTRICTS = [
    ("shangcheng", "上城区"), ("gongshu", "拱墅区"), ("xihu", "西湖区"), ("binjiang", "滨江区"),
    ("xiaoshan", "萧山区"), ("yuhang", "余杭区"), ("linping", "临平区"), ("qiantang", "钱塘区"),
    ("fuyang", "富阳区"), ("linan", "临安区"), ("tonglu", "桐庐县"), ("chunan", "淳安县"), ("jiande", "建德市"),
]


def seed(apps, schema_editor):
    Contributor = apps.get_model("reports", "Contributor")
    for position, name in enumerate(CITY_UNITS, start=1):
        Contributor.objects.get_or_create(
            name=name, defaults={"short_name": name, "district": "city", "position": position}
        )
    for index, (code, label) in enumerate(DISTRICTS, start=1):
        Contributor.objects.get_or_create(
            name=f"{label}人大常委会", defaults={"short_name": label, "district": code, "position": index * 100}
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
