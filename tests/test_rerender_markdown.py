"""Stored HTML is brought up to date when the renderer changes."""

import pytest
from django.core.management import call_command

from sessions.management.commands.rerender_markdown import rerender_markdown
from sessions.models import Presentation, Question
from tests import factories

pytestmark = pytest.mark.django_db


def test_rerender_markdown_updates_stale_html(talk):
    question = factories.QuestionFactory(presentation=talk, body="**왜** 그런가요?")
    Presentation.objects.filter(pk=talk.pk).update(summary_html="<p>stale</p>")
    Question.objects.filter(pk=question.pk).update(body_html="<p>stale</p>")

    changed = rerender_markdown()

    talk.refresh_from_db()
    question.refresh_from_db()
    assert (changed["study.Presentation"], changed["study.Question"]) == (1, 1)
    assert question.body_html == "<p><strong>왜</strong> 그런가요?</p>\n"
    assert "<math" in talk.summary_html


def test_rerender_markdown_dry_run_writes_nothing(talk):
    Presentation.objects.filter(pk=talk.pk).update(summary_html="<p>stale</p>")
    assert rerender_markdown(dry_run=True)["study.Presentation"] == 1
    talk.refresh_from_db()
    assert talk.summary_html == "<p>stale</p>"


def test_rerender_markdown_command_reports_counts(talk, capsys):
    call_command("rerender_markdown")
    assert "study.Presentation: 0 changed" in capsys.readouterr().out
