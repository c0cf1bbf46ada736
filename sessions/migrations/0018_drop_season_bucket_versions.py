from django.db import migrations


def drop_season_buckets(apps, schema_editor):
    """Season buckets are no longer written nor read (the carried-over
    questions read their earlier sessions' buckets): their rows would only
    lengthen the versions every request reads."""
    ContentVersion = apps.get_model("study", "ContentVersion")
    ContentVersion.objects.filter(table__contains="@season-").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0017_table_versions"),
    ]

    operations = [
        migrations.RunPython(drop_season_buckets, migrations.RunPython.noop, elidable=True),
    ]
