"""Factories for every model. Plain data, Korean where the app shows it."""

import datetime

import factory
from django.db.models import Max
from django.utils import timezone

from sessions.models import (
    ActionItem,
    Answer,
    Attendance,
    Card,
    CardVote,
    Column,
    ImportedFile,
    Member,
    Nomination,
    NominationVote,
    Paper,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
    RetroBoard,
    Season,
    SeasonMembership,
    StudySession,
    Tag,
    TalkSlot,
)

KOREAN_NAMES = ["김민지", "이서준", "박지우", "최하은", "정도윤", "강서연", "조예준", "윤지민"]
EMOJI = ["🐱", "🐼", "🦝", "🐻", "🦊", "🐰", "🐯", "🐨"]


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    display_name = factory.Sequence(lambda n: f"{KOREAN_NAMES[n % len(KOREAN_NAMES)]}{n}")
    emoji = factory.Sequence(lambda n: EMOJI[n % len(EMOJI)])
    email = factory.LazyAttribute(lambda member: f"{member.username}@example.org")
    bio = "논문 읽기를 좋아합니다."
    password = factory.django.Password("correct horse battery staple")


class OrganizerFactory(MemberFactory):
    role = Member.Role.ORGANIZER


# The season every session falls in unless a test names another.
SEASON = "2025"


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"시즌 {n + 2}")
    slug = factory.Sequence(lambda n: f"season-{n + 2}")
    starts_on = datetime.date(2026, 9, 1)


def default_season():
    return SeasonFactory(slug=SEASON, name="2025 논문 스터디", starts_on=datetime.date(2025, 1, 1))


class SeasonMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeasonMembership

    season = factory.LazyFunction(default_season)
    member = factory.SubFactory(MemberFactory)


class StudySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudySession

    season = factory.LazyFunction(default_season)
    number = factory.Sequence(lambda n: n + 1)
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 3) + datetime.timedelta(weeks=n))
    title = factory.LazyAttribute(lambda session: f"{session.number}주차 논문 읽기")
    place = "강남 스터디룸 3"
    notes = "이번 주에는 **트랜스포머**를 읽습니다."


def upcoming_session(days=7, **kwargs):
    """A session `days` from today (a coming one, for slots)."""
    return StudySessionFactory(date=timezone.localdate() + datetime.timedelta(days=days), **kwargs)


class TalkSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalkSlot

    session = factory.LazyFunction(upcoming_session)
    position = factory.Sequence(lambda n: n)
    holder = None
    claimed_at = factory.LazyAttribute(lambda slot: timezone.now() if slot.holder else None)


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    title = factory.Sequence(lambda n: f"Attention Variant {n}")
    url = factory.Sequence(lambda n: f"https://arxiv.org/abs/2401.{n:05d}")
    authors = "Kim, Lee"
    year = 2024


class PresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presentation
        skip_postgeneration_save = True

    session = factory.SubFactory(StudySessionFactory)
    topic = factory.Sequence(lambda n: f"셀프 어텐션 {n}")
    summary = "셀프 어텐션은 $QK^T$ 로 가중치를 구한다."

    @factory.post_generation
    def presenters(self, create, extracted, **kwargs):
        """Presenters in order; one new member when none are given."""
        if not create:
            return
        self.set_presenters(extracted if extracted is not None else [MemberFactory()])

    @factory.post_generation
    def papers(self, create, extracted, **kwargs):
        if create and extracted:
            self.papers.set(extracted)


class PresentationPresenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PresentationPresenter

    presentation = factory.SubFactory(PresentationFactory, presenters=[])
    member = factory.SubFactory(MemberFactory)
    order = 0


def next_question_position(talk):
    highest = talk.questions.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    presentation = factory.SubFactory(PresentationFactory)
    addressed_to = factory.LazyAttribute(lambda q: q.presentation.ordered_presenters()[0])
    asked_by = factory.SubFactory(MemberFactory)
    body = factory.Sequence(lambda n: f"역전파에서 기울기는 어떻게 전달되나요? ({n})")
    # The next place in the talk's list: positions are unique per talk.
    position = factory.LazyAttribute(lambda q: next_question_position(q.presentation))


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.LazyAttribute(lambda a: a.question.addressed_to)
    body = "연쇄 법칙으로 한 층씩 거꾸로 전달됩니다."


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"태그{n}")


class ReflectionFactory(factory.django.DjangoModelFactory):
    """A session reflection (소감)."""

    class Meta:
        model = Reflection

    kind = Reflection.Kind.SESSION
    author = factory.SubFactory(MemberFactory)
    session = factory.SubFactory(StudySessionFactory)
    body = "발표를 준비하면서 많이 배웠다."


class JournalEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection
        skip_postgeneration_save = True

    kind = Reflection.Kind.JOURNAL
    author = factory.SubFactory(MemberFactory)
    session = None
    title = factory.Sequence(lambda n: f"공부 일지 {n}")
    date = factory.Sequence(lambda n: datetime.date(2025, 3, 1) + datetime.timedelta(days=n))
    body = "## 오늘 한 일\n- 역전파 복습\n- $\\nabla L$ 계산"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(StudySessionFactory)
    member = factory.SubFactory(MemberFactory)
    response = Attendance.Response.GOING


class ImportedFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportedFile

    path = factory.Sequence(lambda n: f"notes/{n:03d}.md")
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    imported_at = factory.LazyFunction(timezone.now)


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    season = factory.LazyFunction(default_season)
    paper = factory.SubFactory(PaperFactory)
    author = factory.SubFactory(MemberFactory)
    note = "요즘 많이 인용되는 논문입니다."


class NominationVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NominationVote

    nomination = factory.SubFactory(NominationFactory)
    member = factory.SubFactory(MemberFactory)


class RetroBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetroBoard

    session = factory.SubFactory(StudySessionFactory)
    format = RetroBoard.Format.KPT


class CardFactory(factory.django.DjangoModelFactory):
    """A card by a member on the season's roster."""

    class Meta:
        model = Card

    board = factory.SubFactory(RetroBoardFactory)
    column = Column.KEEP
    body = factory.Sequence(lambda n: f"발표 자료를 미리 공유해서 좋았다 ({n})")
    author = factory.LazyAttribute(
        lambda card: SeasonMembershipFactory(season=card.board.session.season).member
    )


class CardVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CardVote

    card = factory.SubFactory(CardFactory)
    member = factory.LazyAttribute(
        lambda vote: SeasonMembershipFactory(season=vote.card.board.session.season).member
    )


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    card = factory.SubFactory(CardFactory, column=Column.TRY)
    title = factory.Sequence(lambda n: f"다음 주까지 자료 공유하기 {n}")
    owner = factory.LazyAttribute(lambda item: item.card.author)
    due_session = factory.LazyAttribute(
        lambda item: StudySessionFactory(
            season=item.card.board.session.season,
            number=item.card.board.session.season.next_number(),
        )
    )
