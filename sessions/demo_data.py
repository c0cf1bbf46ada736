"""Generated demo data at scale: a big group's whole history, for benchmarks.

`generate(scale)` fills an empty database with members, sessions, talks,
papers, questions and answers, session reflections, attendance and journal
entries. The text is Korean prose with math and code, of the length real
notes have. Rows are written with `bulk_create` in batches, so the large
scale (about 100,000 rows) takes a minute, not an hour.

Rendering markdown is the slow part of writing a row, so a limited pool of
distinct bodies is rendered once per kind, through the project's one
renderer, and rows with the same body share the rendered HTML: the stored
`*_html` is exactly what `save()` would have written.

Every member gets an unusable password except the benchmark login
(`BENCH_USERNAME` / `BENCH_PASSWORD`), an ordinary member who presents,
asks, reflects and keeps a journal like everybody else.

Everything is drawn from a seeded random generator: the same scale and
seed give the same data.
"""

import contextlib
import datetime
import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .markdown import render_markdown
from .models import (
    Answer,
    Attendance,
    Member,
    Paper,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
    Season,
    SeasonMembership,
    StudySession,
    Tag,
)
from .models.papers import normalize_title

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "studygroup-bench"
BATCH_SIZE = 1000


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind to generate."""

    name: str
    members: int
    sessions: int
    talks: int
    papers: int
    questions: int
    reflections: int
    journals: int
    # Distinct markdown bodies rendered per kind; rows reuse them.
    body_pool: int

    def __post_init__(self):
        if self.members < 4 or self.sessions < 3:
            raise ValueError("a scale needs at least 4 members and 3 sessions")
        if self.talks < self.sessions or self.papers < 2 * self.talks:
            raise ValueError("a scale needs a talk per session and two papers per talk")
        if self.reflections > self.sessions * self.members:
            raise ValueError("at most one reflection per member and session")


SCALES = {
    "small": Scale(
        "small",
        members=20,
        sessions=12,
        talks=36,
        papers=72,
        questions=240,
        reflections=120,
        journals=300,
        body_pool=24,
    ),
    "large": Scale(
        "large",
        members=300,
        sessions=500,
        talks=2000,
        papers=4000,
        questions=20000,
        reflections=10000,
        journals=30000,
        body_pool=150,
    ),
}

# Sessions at the end of the history that are still to come (the newest is
# next week, the one before it today).
UPCOMING_SESSIONS = 2

FAMILY_NAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN_NAMES = [
    "민지", "서준", "지우", "하은", "도윤", "서연", "예준", "지민", "수빈", "현우",
    "유진", "민재", "채원", "건우", "다은", "시우", "서현", "준호", "지아", "우진",
]  # fmt: skip
EMOJI = ["🐱", "🐼", "🦝", "🐻", "🦊", "🐰", "🐯", "🐨", "🦉", "🐧", "🐢", "🦄"]

TOPICS = [
    "셀프 어텐션", "트랜스포머", "확산 모델", "강화학습", "그래프 신경망", "대조 학습",
    "비전 트랜스포머", "멀티모달 모델", "LoRA 미세조정", "지식 증류", "RLHF",
    "검색 증강 생성", "상태 공간 모델", "전문가 혼합(MoE)", "양자화", "정규화 흐름",
    "변분 오토인코더", "적대적 생성 신경망", "메타 학습", "연합 학습", "역전파",
    "배치 정규화", "위치 인코딩", "토크나이저", "스케일링 법칙",
]  # fmt: skip
PAPER_WORDS = [
    "Attention", "Diffusion", "Contrastive", "Sparse", "Efficient", "Scalable",
    "Self-Supervised", "Multimodal", "Retrieval-Augmented", "Low-Rank", "Robust",
    "Instruction-Tuned", "Generative", "Hierarchical", "Causal", "Federated",
]  # fmt: skip
PAPER_NOUNS = [
    "Transformers", "Language Models", "Vision Encoders", "Policies", "Graph Networks",
    "Autoencoders", "Representations", "Agents", "Mixture of Experts", "State Spaces",
]  # fmt: skip
AUTHORS = ["Kim", "Lee", "Park", "Vaswani", "Ho", "Radford", "Chen", "Zhang", "Smith", "Wang"]
TOPICS_EN = [
    "Machine Translation", "Image Generation", "Question Answering", "Robotics",
    "Speech Recognition", "Recommendation", "Code Generation", "Protein Folding",
]  # fmt: skip
PLACES = [
    "강남 스터디룸 3",
    "판교 카페 2층",
    "온라인 (Zoom)",
    "학교 세미나실 204",
    "성수 공유오피스",
]
TAG_NAMES = [
    "딥러닝", "복습", "논문", "수학", "구현", "비전", "자연어", "강화학습", "회고", "최적화",
    "확률", "선형대수", "파이토치", "실험", "발표준비", "읽을거리", "KPT", "4L", "코딩테스트",
    "인프라", "데이터", "평가", "멀티모달", "생성모델", "추천", "그래프", "음성", "로보틱스",
    "MLOps", "통계",
]  # fmt: skip

SENTENCES = [
    "{t}의 핵심은 입력 사이의 관계를 데이터에서 직접 학습한다는 점이다.",
    "논문은 기존 방법보다 학습이 안정적이고 계산량도 적다고 주장한다.",
    "실험 결과를 보면 데이터가 적을 때 성능 차이가 더 크게 난다.",
    "발표를 준비하면서 수식을 처음부터 다시 유도해 보았다.",
    "손실 함수에 정규화 항을 더해 과적합을 줄이는 방식이다.",
    "배치 크기를 키우면 학습률도 함께 조정해야 한다는 점을 배웠다.",
    "{t_eul} 실제 코드로 옮겨 보니 논문에 빠진 구현 세부가 많았다.",
    "부록의 하이퍼파라미터 표가 본문보다 더 많은 것을 알려 준다.",
    "저자들은 ablation으로 각 구성 요소의 기여를 따로 측정했다.",
    "재현해 보니 시드에 따라 결과가 꽤 크게 흔들렸다.",
    "{t_wa} 기존 방법의 차이를 그림 하나로 정리하면 이해가 빠르다.",
    "메모리 사용량은 시퀀스 길이의 제곱에 비례해서 늘어난다.",
    "평가 지표가 실제 사용자 만족도와 얼마나 맞는지는 여전히 의문이다.",
    "스터디원들과 토론하면서 내가 잘못 이해한 부분을 찾았다.",
    "다음 주에는 후속 논문을 읽고 비교해 보기로 했다.",
    "warmup 없이 학습하면 초반에 손실이 발산하는 경우가 있었다.",
    "표현 공간을 시각화해 보니 비슷한 샘플끼리 잘 모여 있었다.",
    "이론적 보장은 약하지만 실무에서는 잘 동작한다는 평가가 많다.",
]  # fmt: skip
INLINE_MATH = [
    r"$\mathrm{softmax}(QK^T/\sqrt{d_k})V$",
    r"$\nabla_\theta \mathcal{L}$",
    r"$p_\theta(x_{t-1} \mid x_t)$",
    r"$\sigma'(x) = \sigma(x)(1-\sigma(x))$",
    r"$W = W_0 + BA$",
    r"$O(n^2 d)$",
]
DISPLAY_MATH = [
    r"$$\mathcal{L} = -\sum_{i=1}^{N} y_i \log \hat{y}_i$$",
    r"$$q(x_t \mid x_{t-1}) = \mathcal{N}(x_t; \sqrt{1-\beta_t}\,x_{t-1}, \beta_t I)$$",
    r"$$\frac{\partial L}{\partial w} = \frac{\partial L}{\partial y}\frac{\partial y}{\partial w}$$",
    r"$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V$$",
    r"$$J(\theta) = \mathbb{E}_{\tau \sim \pi_\theta}\left[\sum_t \gamma^t r_t\right]$$",
]
CODE_BLOCKS = [
    "```python\nscores = q @ k.transpose(-2, -1) / math.sqrt(d_k)\nweights = scores.softmax(dim=-1)\nout = weights @ v\n```",
    "```python\nfor step, batch in enumerate(loader):\n    loss = model(**batch).loss\n    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n```",
    "```python\nnoise = torch.randn_like(x0)\nxt = alpha_bar[t].sqrt() * x0 + (1 - alpha_bar[t]).sqrt() * noise\n```",
    "```bash\npython train.py --lr 3e-4 --batch-size 64 --epochs 20\n```",
]
QUESTION_OPENERS = [
    "{t}에서 이 부분이 잘 이해되지 않았는데,",
    "발표 잘 들었습니다.",
    "실험 설정에 대해 궁금한 점이 있습니다.",
    "{t_eul} 실무에 적용한다면",
]
QUESTION_ASKS = [
    "왜 이 방법이 더 안정적인가요?",
    "데이터가 적을 때도 효과가 있나요?",
    "계산량은 기존 방법과 비교해 어떤가요?",
    "이 가정이 깨지면 어떻게 되나요?",
    "하이퍼파라미터는 어떻게 정했나요?",
    "재현할 때 주의할 점이 있을까요?",
]


def _with_particles(topic):
    """The topic and the topic with 을/를 and 와/과, chosen by its last syllable."""
    last = topic[-1]
    closed = "가" <= last <= "힣" and (ord(last) - ord("가")) % 28 != 0
    return {
        "t": topic,
        "t_eul": topic + ("을" if closed else "를"),
        "t_wa": topic + ("과" if closed else "와"),
    }


def _paragraph(rng, topic, sentences):
    words = _with_particles(topic)
    return " ".join(rng.choice(SENTENCES).format(**words) for _ in range(sentences))


def question_body(rng):
    topic = rng.choice(TOPICS)
    parts = [
        rng.choice(QUESTION_OPENERS).format(**_with_particles(topic)),
        rng.choice(QUESTION_ASKS),
    ]
    if rng.random() < 0.4:
        parts.insert(1, f"특히 {rng.choice(INLINE_MATH)} 부분에서")
    if rng.random() < 0.5:
        parts.append(_paragraph(rng, topic, 1))
    return " ".join(parts)


def answer_body(rng):
    topic = rng.choice(TOPICS)
    blocks = [_paragraph(rng, topic, rng.randint(2, 6))]
    if rng.random() < 0.5:
        blocks.append(rng.choice(DISPLAY_MATH))
    if rng.random() < 0.3:
        blocks.append(rng.choice(CODE_BLOCKS))
    blocks.append(_paragraph(rng, topic, rng.randint(1, 5)))
    return "\n\n".join(blocks)


def summary_body(rng, topic):
    rows = "\n".join(
        f"| {name} | {rng.uniform(20, 90):.1f} | {rng.randint(1, 70)}B |"
        for name in ("Baseline", "Ours", "Ours + 증류")
    )
    return "\n\n".join(
        [
            f"## 배경\n{_paragraph(rng, topic, 5)}\n\n{_paragraph(rng, topic, 3)}",
            f"## 방법\n{_paragraph(rng, topic, 4)} {rng.choice(INLINE_MATH)}\n\n"
            f"{rng.choice(DISPLAY_MATH)}\n\n{rng.choice(CODE_BLOCKS)}",
            f"## 결과\n| 모델 | 점수 | 파라미터 |\n|---|---:|---:|\n{rows}\n\n{_paragraph(rng, topic, 4)}",
            "## 토론할 거리\n" + "\n".join(f"- {rng.choice(QUESTION_ASKS)}" for _ in range(3)),
        ]
    )


def reflection_body(rng):
    topic = rng.choice(TOPICS)
    if rng.random() < 0.3:
        return "\n\n".join(
            f"## {heading}\n- {_paragraph(rng, topic, 1)}\n- {_paragraph(rng, topic, 1)}"
            for heading in ("Keep", "Problem", "Try")
        )
    blocks = [_paragraph(rng, topic, rng.randint(3, 8))]
    if rng.random() < 0.3:
        blocks.append(f"특히 {rng.choice(INLINE_MATH)} 를 직접 계산해 본 것이 도움이 됐다.")
    blocks.append(_paragraph(rng, topic, rng.randint(2, 4)))
    return "\n\n".join(blocks)


def journal_body(rng):
    """A few days of a study log: what I did, what I learned, what is next."""
    days = []
    for day in range(rng.randint(2, 4)):
        topic = rng.choice(TOPICS)
        done = "\n".join(
            f"- {rng.choice(TOPICS)} {verb}"
            for verb in rng.sample(
                ["논문 읽기", "수식 유도", "코드 구현", "복습", "발표 자료 정리", "실험 돌리기"], 3
            )
        )
        learned = [_paragraph(rng, topic, rng.randint(3, 6))]
        if rng.random() < 0.6:
            learned.append(rng.choice(DISPLAY_MATH))
        if rng.random() < 0.4:
            learned.append(rng.choice(CODE_BLOCKS))
        learned.append(_paragraph(rng, topic, rng.randint(2, 4)))
        todo = "\n".join(f"- [ ] {rng.choice(QUESTION_ASKS)}" for _ in range(2))
        days.append(
            f"## {day + 1}일차\n\n### 오늘 한 일\n{done}\n\n### 배운 것\n"
            + "\n\n".join(learned)
            + f"\n\n### 내일 할 일\n{todo}"
        )
    return "\n\n".join(days)


def notes_body(rng, topic):
    return f"이번 주 주제는 **{topic}** 입니다. {_paragraph(rng, topic, 1)}"


def bio_body(rng):
    return f"{rng.choice(TOPICS)}에 관심이 많습니다. {_paragraph(rng, rng.choice(TOPICS), 1)}"


class BodyPool:
    """A fixed set of markdown bodies, each rendered once through the real renderer."""

    def __init__(self, bodies):
        self.items = [(body, render_markdown(body)) for body in bodies]

    def __len__(self):
        return len(self.items)

    def pick(self, rng):
        return rng.choice(self.items)


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let rows keep the `created_at` / `updated_at` they are given.

    Generated history spans years; `auto_now_add` would stamp every row
    with the moment of generation.
    """
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class DatabaseNotEmpty(Exception):
    pass


def check_empty():
    """Raise DatabaseNotEmpty when generated rows would collide with existing ones."""
    sessions = StudySession.objects.count()
    if sessions:
        raise DatabaseNotEmpty(f"the database already has {sessions} session(s)")
    if Season.objects.filter(slug__in=["season-1", "season-2"]).exists():
        raise DatabaseNotEmpty("the database already has the generated seasons")
    if Member.objects.filter(username=BENCH_USERNAME).exists():
        raise DatabaseNotEmpty(f"the database already has a member named {BENCH_USERNAME!r}")


def _display_names(count):
    names = [f"{family}{given}" for given in GIVEN_NAMES for family in FAMILY_NAMES]
    return [
        names[index % len(names)] + (str(index // len(names) + 1) if index >= len(names) else "")
        for index in range(count)
    ]


def _stamp(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Writer:
    def __init__(self, progress):
        self.progress = progress
        self.started = time.monotonic()

    def save(self, label, model, rows):
        before = time.monotonic()
        created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.progress(label, len(created), time.monotonic() - before)
        return created


def generate(scale, seed=1, progress=None):
    """Fill an empty database with `scale`'s rows; returns a dict of counts.

    Runs in one transaction: either the whole data set is written or
    nothing. `progress(label, count, seconds)` is called after each step.
    """
    progress = progress or (lambda label, count, seconds: None)
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()

    check_empty()
    before = time.monotonic()
    pool_size = scale.body_pool
    pools = {
        "question": BodyPool(question_body(rng) for _ in range(pool_size)),
        "answer": BodyPool(answer_body(rng) for _ in range(pool_size)),
        "reflection": BodyPool(reflection_body(rng) for _ in range(pool_size)),
        "journal": BodyPool(journal_body(rng) for _ in range(pool_size)),
        "summary": BodyPool(summary_body(rng, rng.choice(TOPICS)) for _ in range(pool_size)),
        "notes": BodyPool(notes_body(rng, topic) for topic in TOPICS),
        "bio": BodyPool(bio_body(rng) for _ in range(min(pool_size, 40))),
    }
    progress("markdown bodies rendered", sum(len(pool) for pool in pools.values()),
             time.monotonic() - before)  # fmt: skip

    with (
        transaction.atomic(),
        explicit_timestamps(
            StudySession, Presentation, Question, Answer, Reflection, Paper, Attendance
        ),
    ):
        check_empty()
        writer = _Writer(progress)
        counts = {}

        # Members: one known login, the rest cannot log in until invited.
        first_day = today - datetime.timedelta(weeks=scale.sessions)
        unusable = make_password(None)
        bench_password = make_password(BENCH_PASSWORD)
        member_rows = []
        for index, name in enumerate(_display_names(scale.members)):
            bio, bio_html = pools["bio"].pick(rng) if index % 3 else ("", "")
            username = BENCH_USERNAME if index == 0 else f"member{index:04d}"
            member_rows.append(
                Member(
                    username=username,
                    display_name=name,
                    emoji=EMOJI[index % len(EMOJI)],
                    email=f"{username}@example.org",
                    password=bench_password if index == 0 else unusable,
                    role=Member.Role.ORGANIZER if index % 50 == 1 else Member.Role.MEMBER,
                    bio=bio,
                    bio_html=bio_html,
                    date_joined=_stamp(first_day, 9),
                )
            )
        members = writer.save("members", Member, member_rows)
        counts["members"] = len(members)

        # Two seasons: the first holds the older half of the sessions, the
        # second (current) the rest; each numbers its sessions from 1.
        first_season_size = scale.sessions // 2
        second_start = today + datetime.timedelta(
            weeks=first_season_size - (scale.sessions - UPCOMING_SESSIONS)
        )
        seasons = [
            Season.objects.create(
                name="논문 읽기 시즌 1",
                slug="season-1",
                starts_on=first_day,
                ends_on=second_start - datetime.timedelta(days=1),
            ),
            Season.objects.create(name="논문 읽기 시즌 2", slug="season-2", starts_on=second_start),
        ]
        SeasonMembership.objects.bulk_create(
            SeasonMembership(season=season, member=member, joined_on=season.starts_on)
            for season in seasons
            for member in members
        )
        counts["seasons"] = len(seasons)

        # Sessions: one a week, the last UPCOMING_SESSIONS still to come.
        session_rows = []
        for index in range(scale.sessions):
            in_first = index < first_season_size
            number = index + 1 if in_first else index - first_season_size + 1
            day = today + datetime.timedelta(weeks=index - (scale.sessions - UPCOMING_SESSIONS))
            topic = TOPICS[index % len(TOPICS)]
            notes, notes_html = pools["notes"].items[index % len(TOPICS)]
            place = PLACES[index % len(PLACES)]
            stamp = min(_stamp(day - datetime.timedelta(days=14), 10), now)
            session_rows.append(
                StudySession(
                    season=seasons[0 if in_first else 1],
                    number=number,
                    date=day,
                    start_time=datetime.time(19, 30),
                    title=f"{number}주차: {topic}",
                    place=place,
                    video_url=f"https://meet.example.org/study-{number}"
                    if "온라인" in place
                    else "",
                    notes=notes,
                    notes_html=notes_html,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        sessions = writer.save("sessions", StudySession, session_rows)
        counts["sessions"] = len(sessions)

        # Papers: arXiv mostly, a DOI for every tenth.
        paper_rows = []
        for index in range(scale.papers):
            year = 2015 + index % 11
            title = (
                f"{PAPER_WORDS[index % len(PAPER_WORDS)]} "
                f"{PAPER_NOUNS[(index // len(PAPER_WORDS)) % len(PAPER_NOUNS)]} "
                f"for {rng.choice(TOPICS_EN)} ({index + 1})"
            )
            if index % 10 == 9:
                doi = f"10.1000/study.{index + 1}"
                link = {"url": f"https://doi.org/{doi}", "doi": doi}
            else:
                arxiv_id = f"{year % 100:02d}{index % 12 + 1:02d}.{index + 1:05d}"
                link = {"url": f"https://arxiv.org/abs/{arxiv_id}", "arxiv_id": arxiv_id}
            paper_rows.append(
                Paper(
                    title=title,
                    title_key=normalize_title(title),
                    authors=", ".join(rng.sample(AUTHORS, rng.randint(1, 4))),
                    year=year,
                    created_at=now,
                    **link,
                )
            )
        papers = writer.save("papers", Paper, paper_rows)
        counts["papers"] = len(papers)

        # Talks: spread evenly over the sessions; one to three presenters each;
        # two papers of their own, and every fifth talk re-reads an older one.
        talk_rows, talk_presenters, talks_so_far = [], [], {}
        for index in range(scale.talks):
            session_index = index * scale.sessions // scale.talks
            session = sessions[session_index]
            order = talks_so_far.get(session.pk, 0)
            talks_so_far[session.pk] = order + 1
            topic = f"{rng.choice(TOPICS)} 다시 읽기 #{index + 1}"
            summary, summary_html = pools["summary"].pick(rng)
            count = 1 + (index % 3 == 0) + (index % 7 == 0)
            # The benchmark login presents a talk in every tenth session.
            chosen = rng.sample(members[1:], count)
            if (session_index + 1) % 10 == 0 and order == 0:
                chosen[0] = members[0]
            talk_presenters.append(chosen)
            stamp = min(_stamp(session.date - datetime.timedelta(days=3), 20), now)
            talk_rows.append(
                Presentation(
                    session=session,
                    topic=topic,
                    summary=summary,
                    summary_html=summary_html,
                    slides_url=f"https://slides.example.org/{index + 1}" if index % 4 == 0 else "",
                    order=order,
                    created_by=chosen[0],
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        talks = writer.save("talks", Presentation, talk_rows)
        counts["talks"] = len(talks)
        links = [
            PresentationPresenter(presentation=talk, member=member, order=order)
            for talk, chosen in zip(talks, talk_presenters)
            for order, member in enumerate(chosen)
        ]
        counts["presenters"] = len(writer.save("presenters", PresentationPresenter, links))
        Through = Presentation.papers.through
        paper_links = []
        for index, talk in enumerate(talks):
            covered = [papers[2 * index], papers[2 * index + 1]]
            if index % 5 == 4:
                covered.append(papers[rng.randrange(0, 2 * index)])
            paper_links.extend(
                Through(presentation_id=talk.pk, paper_id=paper.pk, order=order)
                for order, paper in enumerate(covered)
            )
        counts["talk papers"] = len(writer.save("talk papers", Through, paper_links))

        # Questions: spread evenly over the talks, addressed to a presenter.
        # One in eight stays unanswered; one in five gets a follow-up answer.
        question_rows, question_meta, questions_so_far = [], [], {}
        for index in range(scale.questions):
            talk_index = index * scale.talks // scale.questions
            talk = talks[talk_index]
            presenters = talk_presenters[talk_index]
            position = questions_so_far.get(talk_index, 0)
            questions_so_far[talk_index] = position + 1
            addressed_to = rng.choice(presenters)
            asked_by = rng.choice(members)
            body, body_html = pools["question"].pick(rng)
            session_day = talk.session.date
            stamp = min(_stamp(session_day, 20, index % 60), now)
            question_rows.append(
                Question(
                    presentation=talk,
                    asked_by=None if index % 13 == 0 else asked_by,
                    addressed_to=addressed_to,
                    body=body,
                    body_html=body_html,
                    position=position,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
            question_meta.append((addressed_to, asked_by, session_day))
        questions = writer.save("questions", Question, question_rows)
        counts["questions"] = len(questions)

        answer_rows = []
        for index, (question, (addressed_to, asked_by, day)) in enumerate(
            zip(questions, question_meta)
        ):
            if index % 8 == 7:
                continue
            replies = [addressed_to] + ([asked_by] if index % 5 == 0 else [])
            for offset, author in enumerate(replies):
                body, body_html = pools["answer"].pick(rng)
                stamp = min(_stamp(day + datetime.timedelta(days=1 + offset), 21), now)
                answer_rows.append(
                    Answer(
                        question=question,
                        author=author,
                        body=body,
                        body_html=body_html,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
        counts["answers"] = len(writer.save("answers", Answer, answer_rows))

        # Session reflections: spread evenly over the sessions, each by a
        # different member; the benchmark login writes on every third session.
        reflection_rows = []
        attended = {(link.presentation.session_id, link.member_id) for link in links}
        for session_index, session in enumerate(sessions):
            count = (session_index + 1) * scale.reflections // scale.sessions - (
                session_index * scale.reflections // scale.sessions
            )
            authors = rng.sample(members[1:], count)
            if (session_index + 1) % 3 == 0 and count:
                authors[0] = members[0]
            for author in authors:
                body, body_html = pools["reflection"].pick(rng)
                stamp = min(_stamp(session.date + datetime.timedelta(days=1), 23), now)
                reflection_rows.append(
                    Reflection(
                        kind=Reflection.Kind.SESSION,
                        author=author,
                        session=session,
                        body=body,
                        body_html=body_html,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
                attended.add((session.pk, author.pk))
        counts["session reflections"] = len(
            writer.save("session reflections", Reflection, reflection_rows)
        )

        # Attendance: presenters and reflection authors came to past sessions.
        by_pk = {session.pk: session for session in sessions}
        attendance_rows = [
            Attendance(
                session_id=session_pk,
                member_id=member_pk,
                response=Attendance.Response.GOING,
                attended=True if by_pk[session_pk].date < today else None,
                updated_at=min(_stamp(by_pk[session_pk].date, 22), now),
            )
            for session_pk, member_pk in sorted(attended)
        ]
        counts["attendance"] = len(writer.save("attendance", Attendance, attendance_rows))

        # Journals: every member writes in turn, dated across the history.
        tags = writer.save("tags", Tag, [Tag(name=name) for name in TAG_NAMES])
        counts["tags"] = len(tags)
        span = (today - first_day).days
        journal_rows, journal_tags = [], []
        for index in range(scale.journals):
            author = members[index % scale.members]
            day = first_day + datetime.timedelta(days=index * span // scale.journals)
            body, body_html = pools["journal"].pick(rng)
            journal_rows.append(
                Reflection(
                    kind=Reflection.Kind.JOURNAL,
                    author=author,
                    title=f"{rng.choice(TOPICS)} 공부 일지 #{index + 1}",
                    date=day,
                    body=body,
                    body_html=body_html,
                    created_at=_stamp(day, 22),
                    updated_at=_stamp(day, 22),
                )
            )
            journal_tags.append(rng.sample(tags, index % 4))
        journals = writer.save("journal entries", Reflection, journal_rows)
        counts["journal entries"] = len(journals)
        TagThrough = Reflection.tags.through
        counts["journal tags"] = len(
            writer.save(
                "journal tags",
                TagThrough,
                [
                    TagThrough(reflection_id=entry.pk, tag_id=tag.pk)
                    for entry, chosen in zip(journals, journal_tags)
                    for tag in chosen
                ],
            )
        )

    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would gather on a live server.
        before = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        progress("tables analyzed", 0, time.monotonic() - before)
    return counts
