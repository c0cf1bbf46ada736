"""Template filters for questions and answers."""

from django import template

register = template.Library()


@register.filter
def answered_by(answers, user):
    """Whether `user` wrote one of `answers` (a question's prefetched answers):
    `{% if not answers|answered_by:user %}` offers "Add an answer" only to
    those who have not answered yet; who has edits their answer instead.
    `user` is None (or anonymous) in the copy of a page kept for everyone."""
    pk = getattr(user, "pk", None)
    return pk is not None and any(answer.author_id == pk for answer in answers)
