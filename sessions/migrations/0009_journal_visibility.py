"""Journal entries choose who reads them; the calendar and the activity feed
get a secret each.

Existing entries stay shared with members, as they were. Today's feed token
becomes the calendar token, so calendar subscriptions keep working; the
activity feed gets a new random token, so a calendar link passed around no
longer opens it.
"""

import secrets

from django.db import migrations, models

import sessions.models.members


def give_activity_tokens(apps, schema_editor):
    Member = apps.get_model("study", "Member")
    for member in Member.objects.filter(activity_token__isnull=True).only("pk"):
        member.activity_token = secrets.token_urlsafe(24)
        member.save(update_fields=["activity_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0008_member_updated_at"),
    ]

    operations = [
        migrations.RenameField(
            model_name="member", old_name="feed_token", new_name="calendar_token"
        ),
        migrations.AlterField(
            model_name="member",
            name="calendar_token",
            field=models.CharField(
                default=sessions.models.members.new_feed_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="calendar feed token",
            ),
        ),
        # Added empty, filled one random token per member, then made unique
        # and required: a default alone would give every row the same token.
        migrations.AddField(
            model_name="member",
            name="activity_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_activity_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="member",
            name="activity_token",
            field=models.CharField(
                default=sessions.models.members.new_feed_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="activity feed token",
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="default_journal_visibility",
            field=models.CharField(
                choices=[("private", "Only me"), ("members", "Shared with members")],
                default="members",
                help_text="Who reads a new entry unless you choose otherwise when you write it.",
                max_length=16,
                verbose_name="new journal entries",
            ),
        ),
        migrations.AddField(
            model_name="reflection",
            name="visibility",
            field=models.CharField(
                choices=[("private", "Only me"), ("members", "Shared with members")],
                default="members",
                max_length=16,
                verbose_name="visibility",
            ),
        ),
        migrations.AddConstraint(
            model_name="reflection",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "journal"), ("visibility", "members"), _connector="OR"),
                name="study_reflection_session_shared",
            ),
        ),
        migrations.AddIndex(
            model_name="reflection",
            index=models.Index(
                fields=["visibility", "author"], name="study_reflection_private_idx"
            ),
        ),
    ]
