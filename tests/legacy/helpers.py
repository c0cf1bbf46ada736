"""A snapshot of everything the importer writes, to compare databases."""

from sessions.models import Member, Presentation, Reflection, StudySession


def snapshot():
    """Domain data as plain values, without ids or timestamps."""
    sessions = {s.number: (s.date, s.title) for s in StudySession.objects.all()}
    talks = {}
    for talk in Presentation.objects.with_people().prefetch_related(
        "questions__answers", "questions__addressed_to"
    ):
        talks[talk.session.number, talk.topic] = {
            "presenters": [m.display_name for m in talk.ordered_presenters()],
            "papers": sorted((p.title, p.url) for p in talk.papers.all()),
            "summary": talk.summary,
            "questions": sorted(
                (
                    q.addressed_to.display_name,
                    q.body,
                    tuple(sorted((a.author.display_name, a.body) for a in q.answers.all())),
                )
                for q in talk.questions.all()
            ),
        }
    reflections = {
        (r.author.display_name, r.session.number): r.body
        for r in Reflection.objects.on_sessions().select_related("author", "session")
    }
    journals = {
        (j.author.display_name, j.title, j.date): (
            j.body,
            sorted(t.name for t in j.tags.all()),
            j.visibility,
        )
        for j in Reflection.objects.journals().select_related("author").prefetch_related("tags")
    }
    members = {m.display_name: m.emoji for m in Member.objects.all()}
    return {
        "sessions": sessions,
        "talks": talks,
        "reflections": reflections,
        "journals": journals,
        "members": members,
    }
