from django.db import migrations, models


class Migration(migrations.Migration):
    """One version per table instead of one for the whole site: a write
    cools only the cached parts that read its table. The old counter held
    nothing worth keeping (every cached part simply renders once more)."""

    dependencies = [
        ("study", "0016_notification_kinds"),
    ]

    operations = [
        migrations.DeleteModel(name="ContentVersion"),
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("table", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("writes", models.PositiveBigIntegerField(default=0)),
                ("token", models.CharField(editable=False, max_length=32)),
            ],
        ),
    ]
