from django.db import migrations, models
from django.db.models import Count


def renumber_repeated_positions(apps, schema_editor):
    """Talks whose questions share a position (two posted at once, or one
    posted after a deletion) get theirs numbered 0, 1, 2… in their current
    order (position, then age), so that the constraint can be added."""
    Question = apps.get_model("study", "Question")
    talks = (
        Question.objects.values("presentation")
        .annotate(questions=Count("pk"), positions=Count("position", distinct=True))
        .filter(questions__gt=models.F("positions"))
        .values_list("presentation", flat=True)
    )
    for talk in list(talks):
        questions = list(Question.objects.filter(presentation=talk).order_by("position", "pk"))
        for position, question in enumerate(questions):
            question.position = position
        Question.objects.bulk_update(questions, ["position"])


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0009_journal_visibility"),
    ]

    operations = [
        migrations.RunPython(renumber_repeated_positions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                fields=("presentation", "position"), name="study_question_position_unique"
            ),
        ),
    ]
