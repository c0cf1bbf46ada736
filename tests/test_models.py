"""Database rules: what must be unique or well-formed is enforced by the database."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from sessions.models import (
    Attendance,
    ImportedFile,
    Member,
    Paper,
    Presentation,
    PresentationPresenter,
    Reflection,
    StudySession,
    Tag,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_session_number_unique():
    factories.StudySessionFactory(number=6)
    _violates(lambda: StudySession.objects.create(number=6, date=datetime.date(2025, 7, 4)))
    assert StudySession.objects.count() == 1


def test_member_display_name_unique():
    factories.MemberFactory(display_name="김민지")
    _violates(lambda: Member.objects.create(username="other", display_name="김민지"))
    assert Member.objects.filter(display_name="김민지").count() == 1


def test_member_display_name_defaults_to_username():
    member = Member.objects.create_user(username="newbie", password="x" * 12)
    assert member.display_name == "newbie"


def test_paper_arxiv_id_unique():
    Paper.objects.create(title="A", url="https://arxiv.org/abs/2304.08485")
    _violates(lambda: Paper.objects.create(title="B", url="https://arxiv.org/pdf/2304.08485v2"))
    assert Paper.objects.count() == 1


def test_paper_doi_unique():
    Paper.objects.create(title="A", url="https://doi.org/10.1000/xyz")
    _violates(lambda: Paper.objects.create(title="B", url="doi:10.1000/XYZ"))


def test_paper_normalized_url_unique():
    Paper.objects.create(title="A", url="https://example.org/paper/")
    _violates(lambda: Paper.objects.create(title="B", url="http://www.example.org/paper"))


def test_papers_without_links_may_share_empty_identity():
    Paper.objects.create(title="Handout one")
    Paper.objects.create(title="Handout two")
    assert Paper.objects.count() == 2


def test_presentation_topic_unique_per_session(study_session):
    factories.PresentationFactory(session=study_session, topic="역전파")
    _violates(lambda: Presentation.objects.create(session=study_session, topic="역전파"))
    other_session = factories.StudySessionFactory(number=7)
    factories.PresentationFactory(session=other_session, topic="역전파")
    assert Presentation.objects.filter(topic="역전파").count() == 2


def test_presenter_once_per_talk(talk, presenter):
    _violates(
        lambda: PresentationPresenter.objects.create(presentation=talk, member=presenter, order=1)
    )


def test_set_presenters_keeps_order(talk, presenter, member):
    talk.set_presenters([member, presenter])
    assert talk.ordered_presenters() == [member, presenter]


def test_set_presenters_failure_keeps_the_old_presenters(talk, presenter, member, monkeypatch):
    """The old presenters are deleted and the new ones written in one transaction."""

    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(PresentationPresenter.objects, "bulk_create", fail)
    with pytest.raises(IntegrityError):
        talk.set_presenters([member])
    assert talk.ordered_presenters() == [presenter]


def test_reflection_one_per_member_per_session(study_session, member):
    factories.ReflectionFactory(session=study_session, author=member)
    _violates(
        lambda: Reflection.objects.create(
            kind=Reflection.Kind.SESSION, session=study_session, author=member, body="두 번째"
        )
    )
    assert Reflection.objects.count() == 1


def test_journal_entries_are_not_limited_per_member(member):
    factories.JournalEntryFactory(author=member)
    factories.JournalEntryFactory(author=member)
    assert Reflection.objects.journals().filter(author=member).count() == 2


def test_session_reflection_needs_a_session(member):
    _violates(
        lambda: Reflection.objects.create(kind=Reflection.Kind.SESSION, author=member, body="x")
    )


def test_journal_entry_needs_a_title(member):
    _violates(
        lambda: Reflection.objects.create(
            kind=Reflection.Kind.JOURNAL,
            author=member,
            title="",
            date=datetime.date(2025, 1, 1),
            body="x",
        )
    )


def test_journal_entry_may_be_undated(member):
    """Old journals do not always say when they were written."""
    entry = Reflection.objects.create(
        kind=Reflection.Kind.JOURNAL, author=member, title="일지", body="x"
    )
    assert entry.date is None


def test_journal_entry_cannot_belong_to_a_session(member, study_session):
    _violates(
        lambda: Reflection.objects.create(
            kind=Reflection.Kind.JOURNAL,
            author=member,
            session=study_session,
            title="일지",
            date=datetime.date(2025, 1, 1),
            body="x",
        )
    )


def test_attendance_one_per_member_per_session(study_session, member):
    factories.AttendanceFactory(session=study_session, member=member)
    _violates(lambda: Attendance.objects.create(session=study_session, member=member))


def test_tag_name_unique():
    Tag.objects.create(name="딥러닝")
    _violates(lambda: Tag.objects.create(name="딥러닝"))


def test_imported_file_path_unique():
    factories.ImportedFileFactory(path="notes/6주차.md")
    _violates(lambda: ImportedFile.objects.create(path="notes/6주차.md", checksum="0" * 64))


def test_markdown_is_rendered_on_save(talk):
    talk.summary = "**굵게** $x^2$"
    talk.save(update_fields=["summary"])
    talk.refresh_from_db()
    assert "<strong>굵게</strong>" in talk.summary_html
    assert "<math" in talk.summary_html


def test_upcoming_and_past_sessions(settings):
    today = datetime.date.today()
    past = factories.StudySessionFactory(number=1, date=today - datetime.timedelta(days=7))
    soon = factories.StudySessionFactory(number=2, date=today + datetime.timedelta(days=3))
    later = factories.StudySessionFactory(number=3, date=today + datetime.timedelta(days=10))
    assert list(StudySession.objects.upcoming()) == [soon, later]
    assert list(StudySession.objects.past()) == [past]


def test_unanswered_questions(talk):
    answered = factories.QuestionFactory(presentation=talk)
    factories.AnswerFactory(question=answered)
    open_question = factories.QuestionFactory(presentation=talk)
    assert list(talk.questions.unanswered()) == [open_question]


def test_answer_by_the_addressed_presenter_is_marked(talk, presenter, member):
    question = factories.QuestionFactory(presentation=talk, addressed_to=presenter, asked_by=member)
    assert factories.AnswerFactory(question=question, author=presenter).is_by_presenter is True
    assert factories.AnswerFactory(question=question, author=member).is_by_presenter is False


def test_can_edit_talk(talk, presenter, member, organizer):
    assert (talk.can_edit(presenter), talk.can_edit(organizer), talk.can_edit(member)) == (
        True,
        True,
        False,
    )


def test_absorb_moves_every_row(talk, presenter, member, study_session):
    """Merging moves talks, questions, answers, reflections and attendance, resolving clashes."""
    duplicate = factories.MemberFactory(display_name="강발표2", emoji="", bio="", email="")
    talk.set_presenters([presenter, duplicate])
    other_talk = factories.PresentationFactory(session=study_session, presenters=[duplicate])
    asked = factories.QuestionFactory(presentation=talk, asked_by=duplicate, addressed_to=presenter)
    received = factories.QuestionFactory(
        presentation=other_talk, asked_by=member, addressed_to=duplicate
    )
    answer = factories.AnswerFactory(question=received, author=duplicate)
    factories.ReflectionFactory(session=study_session, author=presenter, body="내 소감")
    factories.ReflectionFactory(session=study_session, author=duplicate, body="다른 소감")
    journal = factories.JournalEntryFactory(author=duplicate)
    factories.AttendanceFactory(session=study_session, member=presenter)
    factories.AttendanceFactory(session=study_session, member=duplicate)
    other_session = factories.StudySessionFactory(number=99)
    moved_attendance = factories.AttendanceFactory(session=other_session, member=duplicate)

    presenter.absorb(duplicate)

    assert not Member.objects.filter(pk=duplicate.pk).exists()
    assert talk.ordered_presenters() == [presenter]
    assert other_talk.ordered_presenters() == [presenter]
    asked.refresh_from_db()
    received.refresh_from_db()
    answer.refresh_from_db()
    journal.refresh_from_db()
    moved_attendance.refresh_from_db()
    assert (asked.asked_by, received.addressed_to, answer.author, journal.author) == (
        presenter,
        presenter,
        presenter,
        presenter,
    )
    assert moved_attendance.member == presenter
    assert Attendance.objects.filter(session=study_session).count() == 1
    reflection = Reflection.objects.get(session=study_session)
    assert (reflection.author, reflection.body) == (presenter, "내 소감\n\n다른 소감")


def test_absorb_self_is_refused(member):
    with pytest.raises(ValueError):
        member.absorb(member)


def test_presentation_save_with_other_slides_removes_the_stored_file(
    talk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        talk.slides.save("old.pdf", ContentFile(b"%PDF-1.4 old"))
    stored = Presentation.objects.get(pk=talk.pk)
    old = stored.slides.name
    with django_capture_on_commit_callbacks(execute=True):
        stored.slides.save("new.pdf", ContentFile(b"%PDF-1.4 new"))
    storage = stored.slides.storage
    assert (storage.exists(old), storage.exists(stored.slides.name)) == (False, True)


def test_presentation_slides_shared_with_another_talk_stay(
    talk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        talk.slides.save("shared.pdf", ContentFile(b"%PDF-1.4"))
    other = factories.PresentationFactory(session=talk.session, slides=talk.slides.name)
    with django_capture_on_commit_callbacks(execute=True):
        Presentation.objects.get(pk=talk.pk).delete()
    assert other.slides.storage.exists(other.slides.name)


def test_member_can_log_in_is_read_without_the_password_hash(member):
    invited = factories.MemberFactory()
    invited.set_unusable_password()
    invited.save(update_fields=["password"])
    rows = Member.objects.filter(pk__in=[member.pk, invited.pk]).only("pk").with_can_log_in()
    assert {m.pk: m.can_log_in for m in rows} == {member.pk: True, invited.pk: False}
    assert list(Member.objects.invitable().filter(pk__in=[member.pk, invited.pk])) == [invited]
