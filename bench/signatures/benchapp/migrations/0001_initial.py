from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="BareSignature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("petition_id", models.BigIntegerField()),
                ("person_id", models.BigIntegerField()),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("petition_id", "person_id"), name="bench_bare_signature_one_per_person"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NaivePetitionCounter",
            fields=[
                ("petition_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("count", models.BigIntegerField(default=0)),
            ],
        ),
    ]
