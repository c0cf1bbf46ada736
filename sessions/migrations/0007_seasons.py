# Seasons: session numbers unique within a season (the data step moves every
# existing session into one season).

import django.db.models.deletion
import django.utils.timezone
import markdownx.models
from django.conf import settings
from django.db import migrations, models


def seasons_from_sessions(apps, schema_editor):
    """Every existing session into one season, named after the years its
    sessions span; every member on its roster. Numbers were unique across
    all time: each session keeps its number as `legacy_number`, which keeps
    its old address and calendar UID."""
    StudySession = apps.get_model("study", "StudySession")
    Season = apps.get_model("study", "Season")
    SeasonMembership = apps.get_model("study", "SeasonMembership")
    Member = apps.get_model("study", "Member")
    sessions = StudySession.objects.all()
    if not sessions.exists():
        return
    first = sessions.order_by("date").values_list("date", flat=True).first()
    last = sessions.order_by("-date").values_list("date", flat=True).first()
    years = str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    season = Season.objects.create(name=years, slug=years.replace("–", "-"), starts_on=first)
    sessions.update(season=season, legacy_number=models.F("number"))
    SeasonMembership.objects.bulk_create(
        SeasonMembership(
            season=season,
            member_id=pk,
            role="organizer" if role == "organizer" else "member",
            joined_on=first,
        )
        for pk, role in Member.objects.values_list("pk", "role")
    )
    _check_constraints_now(schema_editor)


def _check_constraints_now(schema_editor):
    """PostgreSQL refuses to alter a table with deferred foreign key checks
    pending in the transaction: run them now, before the next operations."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def sessions_without_seasons(apps, schema_editor):
    """Back to numbers unique across all time: possible only while no number
    repeats in two seasons."""
    StudySession = apps.get_model("study", "StudySession")
    Season = apps.get_model("study", "Season")
    repeated = (
        StudySession.objects.values("number")
        .annotate(seasons=models.Count("season", distinct=True))
        .filter(seasons__gt=1)
        .values_list("number", flat=True)
    )
    if repeated:
        numbers = ", ".join(str(number) for number in sorted(repeated))
        raise RuntimeError(
            f"Cannot undo seasons: session numbers {numbers} are used in more than one season."
        )
    StudySession.objects.update(season=None)
    Season.objects.all().delete()
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0006_content_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="Season",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "slug",
                    models.SlugField(
                        allow_unicode=True,
                        help_text="The season's part of the address, e.g. 2025-spring.",
                        max_length=100,
                        unique=True,
                        verbose_name="address",
                    ),
                ),
                ("starts_on", models.DateField(blank=True, null=True, verbose_name="starts on")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="ends on")),
                (
                    "description",
                    markdownx.models.MarkdownxField(blank=True, verbose_name="description"),
                ),
                ("description_html", models.TextField(blank=True, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "season",
                "verbose_name_plural": "seasons",
                "ordering": [
                    models.OrderBy(models.F("starts_on"), descending=True, nulls_last=True),
                    "-pk",
                ],
            },
        ),
        migrations.CreateModel(
            name="SeasonMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("member", "Member"), ("organizer", "Organizer")],
                        default="member",
                        max_length=16,
                        verbose_name="role",
                    ),
                ),
                (
                    "joined_on",
                    models.DateField(
                        default=django.utils.timezone.localdate, verbose_name="joined on"
                    ),
                ),
            ],
            options={
                "verbose_name": "roster entry",
                "verbose_name_plural": "roster",
                "ordering": ["season", "member__display_name"],
            },
        ),
        migrations.AlterModelOptions(
            name="studysession",
            options={
                "ordering": ["-date", "-number"],
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
            },
        ),
        migrations.RemoveConstraint(
            model_name="studysession",
            name="study_session_number_unique",
        ),
        migrations.AddField(
            model_name="studysession",
            name="legacy_number",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="studysession",
            name="season",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="study.season",
                verbose_name="season",
            ),
        ),
        migrations.AddField(
            model_name="seasonmembership",
            name="member",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="season_memberships",
                to=settings.AUTH_USER_MODEL,
                verbose_name="member",
            ),
        ),
        migrations.AddField(
            model_name="seasonmembership",
            name="season",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to="study.season",
                verbose_name="season",
            ),
        ),
        migrations.AddField(
            model_name="season",
            name="members",
            field=models.ManyToManyField(
                blank=True,
                related_name="seasons",
                through="study.SeasonMembership",
                to=settings.AUTH_USER_MODEL,
                verbose_name="roster",
            ),
        ),
        migrations.RunPython(seasons_from_sessions, sessions_without_seasons),
        migrations.AlterField(
            model_name="studysession",
            name="season",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="study.season",
                verbose_name="season",
            ),
        ),
        migrations.AddConstraint(
            model_name="studysession",
            constraint=models.UniqueConstraint(
                fields=("season", "number"), name="study_session_season_number_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="studysession",
            constraint=models.UniqueConstraint(
                fields=("legacy_number",), name="study_session_legacy_number_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="seasonmembership",
            constraint=models.UniqueConstraint(
                fields=("season", "member"), name="study_seasonmembership_member_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="season",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("starts_on__isnull", True),
                    ("ends_on__isnull", True),
                    ("ends_on__gte", models.F("starts_on")),
                    _connector="OR",
                ),
                name="study_season_ends_after_start",
            ),
        ),
    ]
