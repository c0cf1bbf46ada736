"""A small demo data set: a paper-reading club's two seasons, the first one
over, the second one running (both start at 1주차)."""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import (
    ActionItem,
    Answer,
    Card,
    CardVote,
    Member,
    Nomination,
    NominationVote,
    NotificationKind,
    Paper,
    Presentation,
    Question,
    Reflection,
    RetroBoard,
    Season,
    SeasonMembership,
    StudySession,
    Tag,
    TalkSlot,
)

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "studygroup-demo"

MEMBERS = [
    # username, display name, emoji, role
    (DEMO_USERNAME, "정운영", "🦉", Member.Role.ORGANIZER),
    ("minji", "김민지", "🐱", Member.Role.MEMBER),
    ("seojun", "이서준", "🐼", Member.Role.MEMBER),
    ("jiwoo", "박지우", "🦝", Member.Role.MEMBER),
    ("haeun", "최하은", "🐻", Member.Role.MEMBER),
]

# slug, name, starts (days from today), ends (or None), roster
SEASONS = [
    ("season-1", "논문 읽기 시즌 1", -200, -80, ["minji", "seojun", "jiwoo"]),
    ("season-2", "논문 읽기 시즌 2", -60, None, ["minji", "seojun", "jiwoo", "haeun"]),
]

# season, number, days from today, title, place, talks
SESSIONS = [
    (
        "season-1",
        1,
        -190,
        "딥러닝 첫걸음",
        "강남 스터디룸 3",
        [
            ("퍼셉트론에서 다층 신경망까지", ["seojun"], [], "선형 분리 가능성과 XOR 문제."),
        ],
    ),
    (
        "season-1",
        2,
        -176,
        "합성곱 신경망",
        "온라인 (Zoom)",
        [
            ("LeNet과 AlexNet", ["jiwoo", "minji"], [], "합성곱과 풀링, ReLU와 드롭아웃."),
        ],
    ),
    (
        "season-2",
        1,
        -56,
        "오리엔테이션과 역전파",
        "강남 스터디룸 3",
        [
            (
                "역전파 다시 보기",
                ["minji", "seojun"],
                [
                    (
                        "Learning representations by back-propagating errors",
                        "https://www.nature.com/articles/323533a0",
                    ),
                ],
                "연쇄 법칙으로 오차를 거꾸로 전달한다.\n\n$$\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial y}\\frac{\\partial y}{\\partial w}$$",
            ),
        ],
    ),
    (
        "season-2",
        2,
        -42,
        "트랜스포머",
        "강남 스터디룸 3",
        [
            (
                "셀프 어텐션과 트랜스포머",
                ["jiwoo"],
                [
                    ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"),
                ],
                "셀프 어텐션은 $\\text{softmax}(QK^T/\\sqrt{d_k})V$ 로 계산한다.\n\n| 모델 | BLEU |\n|---|---|\n| Base | 27.3 |\n| Big | 28.4 |",
            ),
            (
                "BERT 변형 모델들",
                ["haeun", "minji"],
                [
                    (
                        "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
                        "https://arxiv.org/abs/2003.10555",
                    ),
                ],
                "RoBERTa, ALBERT, ELECTRA를 비교했다.",
            ),
        ],
    ),
    (
        "season-2",
        3,
        -28,
        "비전 트랜스포머",
        "온라인 (Zoom)",
        [
            (
                "ViT: 이미지를 16x16 단어로",
                ["seojun"],
                [
                    ("An Image is Worth 16x16 Words", "https://arxiv.org/abs/2010.11929"),
                ],
                "패치 임베딩과 위치 임베딩.\n\n```python\npatches = image.unfold(2, 16, 16).unfold(3, 16, 16)\n```",
            ),
        ],
    ),
    (
        "season-2",
        4,
        -14,
        "멀티모달",
        "강남 스터디룸 3",
        [
            (
                "멀티모달 LMM (LLaVA)",
                ["jiwoo", "haeun"],
                [
                    ("Visual Instruction Tuning", "https://arxiv.org/pdf/2304.08485"),
                ],
                "비전 인코더와 언어 모델을 projection으로 잇는다.",
            ),
        ],
    ),
    (
        "season-2",
        5,
        5,
        "확산 모델",
        "강남 스터디룸 3",
        [
            (
                "DDPM 읽기",
                ["minji"],
                [
                    (
                        "Denoising Diffusion Probabilistic Models",
                        "https://arxiv.org/abs/2006.11239",
                    ),
                ],
                "노이즈를 조금씩 더하고, 거꾸로 지운다.",
            ),
        ],
    ),
]

QUESTIONS = [
    # session number (of the second season), topic, asker, addressed to,
    # question, answer (or None)
    (
        1,
        "역전파 다시 보기",
        "jiwoo",
        "minji",
        "sigmoid 대신 ReLU를 쓰면 역전파가 어떻게 달라지나요?",
        "기울기가 0 또는 1이라 깊은 층에서도 기울기가 덜 사라진다.",
    ),
    (1, "역전파 다시 보기", "haeun", "seojun", "가중치 감쇠는 성능도 올려주나요?", None),
    (
        2,
        "셀프 어텐션과 트랜스포머",
        "minji",
        "jiwoo",
        "warmup이 학습을 어떻게 안정시키나요?",
        "초반 학습률을 서서히 올려 큰 갱신으로 발산하는 것을 막는다.",
    ),
    (
        2,
        "BERT 변형 모델들",
        "seojun",
        "haeun",
        "ELECTRA의 생성기는 왜 작게 만드나요?",
        "판별기가 너무 어려운 문제를 받지 않도록 생성기를 판별기보다 작게 둔다.",
    ),
    (
        4,
        "멀티모달 LMM (LLaVA)",
        "minji",
        "jiwoo",
        "zero-shot과 few-shot의 차이는?",
        "예시 없이 푸는지, 몇 개 예시를 보고 푸는지의 차이다.",
    ),
]

# session number (of the second season), author, reflection
REFLECTIONS = [
    (1, "minji", "수식을 직접 따라가 보니 역전파가 생각보다 어렵지 않았다."),
    (
        1,
        "seojun",
        "## Keep\n- 발표 전에 논문을 두 번 읽은 것\n\n## Problem\n- 시간 배분\n\n## Try\n- 예제 코드 준비",
    ),
    (2, "jiwoo", "트랜스포머 원리를 조금 더 이해할 수 있게 돼 뿌듯하다."),
    (4, "haeun", "LLaVA의 데이터 생성 방식이 인상적이었다."),
]

JOURNAL = [
    (
        "minji",
        "공부 일지: 역전파",
        -50,
        ["딥러닝", "복습"],
        "## 오늘 한 일\n- 역전파 유도\n- $\\sigma'(x) = \\sigma(x)(1-\\sigma(x))$ 확인",
    ),
    ("seojun", "ViT 구현 메모", -25, ["비전"], "패치 크기를 바꿔 가며 실험해 보았다."),
]

# The retrospective board of the second season's session 4: column, author,
# anonymous, text, voters; the Try card is minji's action item for session 5.
BOARD = [
    ("keep", "seojun", False, "발표 전에 질문을 미리 모은 것", ["minji", "jiwoo", "haeun"]),
    ("problem", "haeun", True, "데모 준비에 시간이 부족했다", ["minji"]),
    ("try", "minji", False, "다음 모임 전에 **자료를 미리** 올리자", ["seojun", "jiwoo"]),
]
BOARD_ACTION = ("try", "자료 미리 올리기", "minji", 5)


# Planning the coming session 5: its talk slots (holder or None, theme, the
# holder's posted talk or None) and the backlog's nominations (author,
# title, link, why, voters).
SLOTS = [("minji", "", "DDPM 읽기"), ("seojun", "확산 모델 응용", None), (None, "", None)]
NOMINATIONS = [
    (
        "jiwoo",
        "Score-Based Generative Modeling through Stochastic Differential Equations",
        "https://arxiv.org/abs/2011.13456",
        "확산 모델을 SDE로 보면 DDPM이 더 잘 이해됩니다.",
        ["minji", "haeun"],
    ),
    (
        "haeun",
        "Learning Transferable Visual Models From Natural Language Supervision",
        "https://arxiv.org/abs/2103.00020",
        "멀티모달 회차에서 못 다룬 CLIP.",
        ["seojun"],
    ),
]


def _date(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@transaction.atomic
def load_demo():
    """Create the demo rows that are missing; returns the demo organizer.

    Safe to run again: every row is found by its natural key first.
    """
    members = {}
    for username, display_name, emoji, role in MEMBERS:
        member, created = Member.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "emoji": emoji, "role": role},
        )
        if created:
            member.set_unusable_password()
            member.save()
        members[username] = member
    organizer = members[DEMO_USERNAME]
    organizer.is_staff = organizer.is_superuser = True
    organizer.role = Member.Role.ORGANIZER
    organizer.set_password(DEMO_PASSWORD)
    organizer.save()
    for username in ("minji", "seojun"):
        if not members[username].has_usable_password():
            members[username].set_password(DEMO_PASSWORD)
            members[username].save()

    seasons = {}
    for slug, name, starts, ends, roster in SEASONS:
        seasons[slug], _ = Season.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "starts_on": _date(starts),
                "ends_on": _date(ends) if ends is not None else None,
            },
        )
        for username in [DEMO_USERNAME, *roster]:
            SeasonMembership.objects.get_or_create(
                season=seasons[slug],
                member=members[username],
                defaults={
                    "role": SeasonMembership.Role.ORGANIZER
                    if username == DEMO_USERNAME
                    else SeasonMembership.Role.MEMBER,
                    "joined_on": _date(starts),
                },
            )

    talks = {}
    sessions = {}
    for slug, number, days, title, place, session_talks in SESSIONS:
        session, _ = StudySession.objects.get_or_create(
            season=seasons[slug],
            number=number,
            defaults={"date": _date(days), "title": title, "place": place},
        )
        sessions[slug, number] = session
        for order, (topic, presenters, papers, summary) in enumerate(session_talks):
            talk, created = Presentation.objects.get_or_create(
                session=session, topic=topic, defaults={"summary": summary, "order": order}
            )
            if created:
                talk.set_presenters([members[name] for name in presenters])
                talk.set_papers(
                    [
                        Paper.objects.resolve(url, title=paper_title)[0]
                        for paper_title, url in papers
                    ]
                )
            talks[slug, number, topic] = talk

    for number, topic, asker, addressed_to, body, answer in QUESTIONS:
        talk = talks["season-2", number, topic]
        if talk.questions.filter(body=body).exists():
            continue
        question = talk.add_question(
            Question(body=body, asked_by=members[asker], addressed_to=members[addressed_to])
        )
        if answer:
            Answer.objects.create(question=question, author=members[addressed_to], body=answer)
        if created:
            _notify_demo(question)

    for number, author, body in REFLECTIONS:
        Reflection.objects.get_or_create(
            kind=Reflection.Kind.SESSION,
            author=members[author],
            session=sessions["season-2", number],
            defaults={"body": body},
        )

    for author, title, days, tags, body in JOURNAL:
        entry, created = Reflection.objects.get_or_create(
            kind=Reflection.Kind.JOURNAL,
            author=members[author],
            title=title,
            defaults={"date": _date(days), "body": body},
        )
        if created:
            entry.tags.set(Tag.objects.get_or_create(name=name)[0] for name in tags)

    coming = sessions["season-2", 5]
    for position, (holder, theme, topic) in enumerate(SLOTS):
        TalkSlot.objects.get_or_create(
            session=coming,
            position=position,
            defaults={
                "theme": theme,
                "holder": members[holder] if holder else None,
                "claimed_at": timezone.now() if holder else None,
                "talk": talks["season-2", 5, topic] if topic else None,
            },
        )
    for author, title, url, note, voters in NOMINATIONS:
        paper = Paper.objects.resolve(url, title=title)[0]
        nomination, _ = Nomination.objects.get_or_create(
            season=seasons["season-2"],
            paper=paper,
            withdrawn_at=None,
            defaults={"author": members[author], "note": note},
        )
        for voter in voters:
            NominationVote.objects.get_or_create(nomination=nomination, member=members[voter])

    board, _ = RetroBoard.objects.get_or_create(session=sessions["season-2", 4])
    cards = {}
    for column, author, anonymous, body, voters in BOARD:
        card, created = Card.objects.get_or_create(
            board=board,
            column=column,
            body=body,
            defaults={"author": members[author], "anonymous": anonymous},
        )
        if created:
            CardVote.objects.bulk_create(
                CardVote(card=card, member=members[name]) for name in voters
            )
        cards[column] = card
    column, title, owner, due = BOARD_ACTION
    ActionItem.objects.get_or_create(
        card=cards[column],
        defaults={
            "title": title,
            "owner": members[owner],
            "due_session": sessions["season-2", due],
        },
    )
    return organizer


def _notify_demo(question):
    """The notifications the question and its answers made (the demo
    members have no email address: they show in the inbox only)."""
    from .notifications import notify

    topic = question.presentation.topic
    notify(
        NotificationKind.QUESTION,
        [question.addressed_to],
        actor=question.asked_by,
        target=question,
        label=topic,
    )
    for answer in question.answers.all():
        notify(
            NotificationKind.ANSWER,
            [question.asked_by],
            actor=answer.author,
            target=answer,
            label=topic,
        )
