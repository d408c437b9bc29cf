import datetime

from django.db import migrations


def seed(apps, schema_editor):
    MartialLawPeriod = apps.get_model("core", "MartialLawPeriod")
    if not MartialLawPeriod.objects.exists():
        MartialLawPeriod.objects.create(
            starts_on=datetime.date(2022, 3, 24),
            ends_on=None,
            basis="Law 2136-IX of 15.03.2022, art. 6 part 6 (in force 24.03.2022): Labour Code art. 67 parts 3-5 "
            "and arts. 71-73 do not apply while martial law lasts",
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
