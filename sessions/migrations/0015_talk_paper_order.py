"""Papers of a talk keep the order the presenter listed them in.

The talk–paper relation becomes an explicit model on the same table
(`study_presentation_papers`, state only), then gains its `order` column and
a named unique constraint in place of the automatic one. Existing rows get
order 0; they keep the order they were added in (their id).

Members gain `invited_at`: when an invitation link was last made for them.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0014_retrospectives"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PresentationPaper",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "presentation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="paper_links",
                                to="study.presentation",
                            ),
                        ),
                        (
                            "paper",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="talk_links",
                                to="study.paper",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "study_presentation_papers",
                        "unique_together": {("presentation", "paper")},
                    },
                ),
                migrations.AlterField(
                    model_name="presentation",
                    name="papers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="presentations",
                        through="study.PresentationPaper",
                        to="study.paper",
                        verbose_name="papers",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="presentationpaper",
            name="order",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterUniqueTogether(name="presentationpaper", unique_together=set()),
        migrations.AddConstraint(
            model_name="presentationpaper",
            constraint=models.UniqueConstraint(
                fields=("presentation", "paper"), name="study_paper_once_per_talk"
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="invited_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="invited"
            ),
        ),
        migrations.AlterModelOptions(
            name="presentationpaper",
            options={
                "ordering": ["presentation", "order", "pk"],
                "verbose_name": "paper of a talk",
                "verbose_name_plural": "papers of talks",
            },
        ),
    ]
