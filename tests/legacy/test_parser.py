"""The legacy parser: pure functions, our own fixtures in both layouts and both front-matter styles."""

import datetime
from pathlib import Path

import pytest

from sessions.legacy.parser import (
    ParsedJournal,
    ParsedSession,
    ParseError,
    decode,
    parse,
    parse_date,
    split_person,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "legacy"


def parse_fixture(name, **kwargs):
    path = FIXTURES / name
    return parse(decode(path.read_bytes()), filename=name, **kwargs)


def by_topic(session):
    return {p.topic: p for p in session.presentations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025.07.04", datetime.date(2025, 7, 4)),
        ("2025-07-04", datetime.date(2025, 7, 4)),
        ("2025. 7. 4.", datetime.date(2025, 7, 4)),
        ("2025/7/4", datetime.date(2025, 7, 4)),
        ("2025년 7월 4일", datetime.date(2025, 7, 4)),
        ("미정", None),
    ],
)
def test_parse_date_written_forms(text, expected):
    assert parse_date(text) == expected


def test_parse_date_impossible_raises_with_line():
    with pytest.raises(ParseError) as excinfo:
        parse_date("2025.02.30", line=7)
    assert excinfo.value.line == 7
    assert str(excinfo.value) == "line 7: impossible date '2025.02.30'"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("조은비🐱", ("조은비", "🐱")),
        ("🐼 전민하", ("전민하", "🐼")),
        ("**강한결**", ("강한결", "")),
        ("  윤도현  ", ("윤도현", "")),
        ("Kim Minsu🦊", ("Kim Minsu", "🦊")),
    ],
)
def test_split_person_name_and_emoji(raw, expected):
    assert split_person(raw) == expected


def test_by_topic_layout_session_heading_date_and_topics():
    session = parse_fixture("session_by_topic.md")
    assert isinstance(session, ParsedSession)
    assert (session.number, session.date, session.title, session.layout) == (
        3,
        datetime.date(2025, 3, 14),
        "",
        "topic",
    )
    # Emoji and extra spaces around headings are not part of the topic.
    assert [p.topic for p in session.presentations] == ["합성곱 신경망의 기초", "배치 정규화"]
    assert [p.presenters for p in session.presentations] == [("박서연", "윤도현"), ("한지우",)]


def test_by_topic_layout_several_papers_under_one_heading():
    papers = by_topic(parse_fixture("session_by_topic.md"))["합성곱 신경망의 기초"].papers
    assert [(p.title, p.url, p.line) for p in papers] == [
        (
            "Gradient-Based Learning Applied to Document Recognition",
            "http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf",
            12,
        ),
        (
            "ImageNet Classification with Deep Convolutional Neural Networks",
            "https://papers.nips.cc/paper/4824-imagenet-classification",
            13,
        ),
        ("Deep Residual Learning for Image Recognition", "https://arxiv.org/abs/1512.03385v1", 14),
    ]


def test_by_topic_layout_questions_answers_and_missing_answer():
    questions = by_topic(parse_fixture("session_by_topic.md"))["합성곱 신경망의 기초"].questions
    assert [(q.presenter, q.line) for q in questions] == [
        ("박서연", 26),
        ("박서연", 28),
        ("박서연", 35),
    ]
    assert questions[0].body == "풀링 층이 없으면 어떤 일이 생기나요?"
    # An answer over several lines and paragraphs, with an image.
    assert questions[1].answer == (
        "보통 3x3을 여러 번 쌓습니다.\n"
        "같은 수용 영역을 더 적은 파라미터로 얻을 수 있기 때문입니다.\n\n"
        "논문의 그림을 다시 보면 이해가 쉽습니다.\n\n"
        "![수용 영역](https://example.org/images/receptive-field.png)"
    )
    assert questions[2].answer is None


def test_by_topic_layout_none_means_no_questions_and_reflections_keep_paragraphs():
    session = parse_fixture("session_by_topic.md")
    presenters = [q.presenter for p in session.presentations for q in p.questions]
    assert "윤도현" not in presenters and "오세린" not in presenters
    reflections = {r.member: r.body for r in session.reflections}
    assert list(reflections) == ["박서연", "윤도현", "한지우", "오세린"]
    assert reflections["박서연"] == (
        "오래된 논문인데도 지금 구조의 뼈대가 거의 다 들어 있어서 놀랐다.\n다음에는 직접 구현해 보고 싶다."
    )


def test_by_topic_layout_member_emoji_from_headings():
    members = {m.name: m.emoji for m in parse_fixture("session_by_topic.md").members}
    assert members == {"박서연": "🦊", "윤도현": "", "한지우": "🐧", "오세린": ""}


def test_bom_crlf_spaced_colon_and_iso_date():
    session = parse_fixture("session_crlf_bom.md")
    assert (session.number, session.date, session.title) == (
        4,
        datetime.date(2025, 4, 1),
        "최적화 알고리즘",
    )
    (talk,) = session.presentations
    assert talk.topic == "Adam"
    assert talk.presenters == ("윤도현", "오세린")
    assert [(p.title, p.url) for p in talk.papers] == [
        ("Adam: A Method for Stochastic Optimization", "https://arxiv.org/abs/1412.6980")
    ]
    assert [(q.body, q.answer) for q in talk.questions] == [
        ("학습률을 따로 조절할 필요가 없나요?", "기본값이 잘 동작하지만 문제에 따라 조절합니다.")
    ]
    assert "\r" not in session.reflections[0].body


def test_by_team_layout_topics_from_papers_and_dotted_spaced_date():
    session = parse_fixture("session_by_team.md")
    assert (session.number, session.date, session.layout) == (5, datetime.date(2025, 5, 9), "team")
    assert [(p.topic, p.presenters, len(p.papers)) for p in session.presentations] == [
        ("Sequence to Sequence Learning with Neural Networks", ("박서연", "한지우"), 1),
        (
            "Neural Machine Translation by Jointly Learning to Align and Translate",
            ("윤도현", "오세린"),
            2,
        ),
    ]


def test_by_team_layout_answers_over_paragraphs_and_unanswered_question():
    seq2seq, attention = parse_fixture("session_by_team.md").presentations
    assert [(q.presenter, q.body, q.answer) for q in seq2seq.questions] == [
        (
            "박서연",
            "인코더의 마지막 은닉 상태만 쓰면 정보가 부족하지 않나요?",
            "그래서 입력 문장을 뒤집어 넣는 요령을 썼습니다. 앞부분의 거리가 가까워져서\n학습이 쉬워진다고 설명합니다.",
        ),
        ("박서연", "빔 서치의 폭은 얼마로 했나요?", None),
        (
            "한지우",
            "층을 네 개나 쌓은 이유가 있나요?",
            "얕은 모델보다 성능이 확실히 좋았다고 합니다.",
        ),
    ]
    assert attention.questions[0].answer == (
        "작은 신경망 하나로 디코더 상태와 인코더 상태를 비교합니다.\n\n"
        "논문 부록에 자세한 식이 있습니다.\n\n"
        "![정렬 그림](https://example.org/images/alignment.png)"
    )


def test_by_team_layout_unknown_presenter_goes_to_majority_talk_with_warning():
    session = parse_fixture("session_by_team.md")
    attention = session.presentations[1]
    assert [q.presenter for q in attention.questions] == ["윤도헌", "오세린"]
    assert [str(w) for w in session.warnings] == [
        "line 46: 윤도헌 is not a presenter of any topic; their questions go to "
        "'Neural Machine Translation by Jointly Learning to Align and Translate', which most "
        "presenters in the same block gave (use --alias to map the name)"
    ]


def test_by_team_layout_alias_maps_name_before_matching():
    session = parse_fixture("session_by_team.md", aliases={"윤도헌": "윤도현"})
    assert session.warnings == ()
    assert [q.presenter for q in session.presentations[1].questions] == ["윤도현", "오세린"]
    members = {m.name: m.emoji for m in session.members}
    assert "윤도헌" not in members
    assert members["윤도현"] == "🐢"


def test_by_team_layout_reflections_continue_over_lines():
    reflections = {r.member: r.body for r in parse_fixture("session_by_team.md").reflections}
    assert (
        reflections["한지우"] == "논문 그림을 따라 그려 보니 흐름이 잡혔다.\n다음 발표도 기대된다."
    )
    assert list(reflections) == ["박서연", "한지우", "윤도헌", "오세린"]


def test_jekyll_front_matter_journal():
    journal = parse_fixture("journal_jekyll.md")
    assert isinstance(journal, ParsedJournal)
    assert (journal.title, journal.date, journal.tags, journal.front_matter) == (
        "<Day012> 확률과 통계 복습",
        datetime.date(2024, 9, 3),
        ("통계", "daily report"),
        "yaml",
    )
    assert journal.body.startswith(
        "### 오늘 한 일\n\n- 베이즈 정리를 예제로 다시 풀었다.\n    - 사전 확률"
    )


def test_jekyll_front_matter_without_date_is_undated():
    journal = parse_fixture("journal_jekyll_undated.md")
    assert (journal.title, journal.date, journal.tags) == ("부캠 3주차 주간 회고", None, ())


def test_obsidian_json_front_matter_title_from_permalink_and_links_as_text():
    journal = parse_fixture("journal_obsidian.md")
    assert (journal.title, journal.date, journal.front_matter) == (
        "week-5",
        datetime.date(2025, 3, 10),
        "json",
    )
    assert journal.body == (
        "Week 6 정리\n# Day 1 (결정 트리)\n\n"
        "- 💡 **지니 불순도**: 노드가 얼마나 섞여 있는지 나타낸다.\n"
        "- 다음 글: Week 4 정리\n\n![[tree.png]]"
    )


def test_journal_title_falls_back_to_heading_then_file_name():
    assert parse("---\ndate: 2025-01-02\n---\n\n## 새해 계획\n본문", "x.md").title == "새해 계획"
    assert (
        parse("---\ndate: 2025-01-02\n---\n본문만", "2025-01-02-plan.md").title == "2025-01-02-plan"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad/no_number.md", "line 1: no session number: expected a heading such as '# 6주차'"),
        ("bad/impossible_date.md", "line 2: impossible date '2025.02.30'"),
        (
            "bad/unknown_layout.md",
            "unrecognised layout: neither a session note (a heading such as '# 6주차' and a "
            "'**발표일**:' line) nor a journal with front matter",
        ),
    ],
)
def test_bad_session_files_raise_one_clear_message(name, message):
    with pytest.raises(ParseError) as excinfo:
        parse_fixture(name)
    assert str(excinfo.value) == message


def test_decode_rejects_empty_and_non_utf8():
    with pytest.raises(ParseError, match="^the file is empty$"):
        decode((FIXTURES / "bad" / "empty.md").read_bytes())
    with pytest.raises(ParseError, match=r"^line 1: not UTF-8 text"):
        decode((FIXTURES / "bad" / "not_utf8.md").read_bytes())


def test_invalid_yaml_front_matter_names_the_line():
    with pytest.raises(ParseError) as excinfo:
        parse("---\ntitle: ok\ntags: [a, b\n---\nbody", "x.md")
    assert excinfo.value.line == 3  # the unclosed list


def test_unseen_note_in_by_topic_format_with_variants():
    """A note written fresh for this test: bold keys, list-style date, no bold names."""
    text = (
        "## 🌱 12주차: 확산 모델\n"
        "- **발표일** : 2025. 11. 21.\n\n"
        "## 주제\n"
        "### DDPM\n"
        "- **발표자**: 이하늘🐳 & 정바다\n"
        "- **참고 논문**: [Denoising Diffusion Probabilistic Models](https://arxiv.org/abs/2006.11239)\n"
        "https://arxiv.org/abs/2010.02502\n\n"
        "## 회고\n"
        "### 이하늘\n"
        "#### 받은 질문\n"
        "- Q: 노이즈 스케줄은 왜 선형인가요?\n"
        "- A: 논문에서는 선형으로 시작했고, 후속 연구에서 코사인을 씁니다.\n"
        "#### 소감\n"
        "재밌었다.\n"
        "### 정바다\n"
        "#### 받은 질문\n"
        "없음\n"
    )
    session = parse(text, "fresh.md")
    assert (session.number, session.title, session.date) == (
        12,
        "확산 모델",
        datetime.date(2025, 11, 21),
    )
    (talk,) = session.presentations
    assert talk.presenters == ("이하늘", "정바다")
    assert [p.url for p in talk.papers] == [
        "https://arxiv.org/abs/2006.11239",
        "https://arxiv.org/abs/2010.02502",
    ]
    assert [(q.presenter, q.answer) for q in talk.questions] == [
        ("이하늘", "논문에서는 선형으로 시작했고, 후속 연구에서 코사인을 씁니다.")
    ]
    assert [(r.member, r.body) for r in session.reflections] == [("이하늘", "재밌었다.")]
    assert {m.name: m.emoji for m in session.members} == {"이하늘": "🐳", "정바다": ""}


def test_topic_hint_on_questions_heading_picks_the_talk():
    text = (
        "# 3주차\n**발표일**: 2025.03.01\n# 주제\n## 첫째\n- 발표자: **가나**\n## 둘째\n- 발표자: **가나**\n"
        "# 회고\n## 가나\n### 받은 질문: 둘째\n- Q1: 질문?\n- A1: 답.\n"
    )
    session = parse(text, "x.md")
    assert [len(p.questions) for p in session.presentations] == [0, 1]
    assert session.warnings == ()


OTHER_ANSWERS = """# 7주차
**발표일**: 2025.05.09

# 주제
## 어텐션
- 발표자: **김발표**

# 회고
## 김발표🦊
### 받은 질문
- Q1: 왜 스케일링하나요?
- A1: 분산을 맞추려고요.
- A1 (이답변🐱): 저도 궁금했는데,
  소프트맥스가 포화되지 않게 하려는 것 같아요.
- A1 (박보충): 원 논문 3.2절에 나옵니다.
- Q2: 마스킹은요?
- A2 (이답변🐱): 미래 토큰을 가립니다.
"""


def test_by_topic_layout_answers_of_other_members_keep_their_authors():
    session = parse(OTHER_ANSWERS, filename="other.md")
    first, second = session.presentations[0].questions
    assert (first.answer, second.answer) == ("분산을 맞추려고요.", None)
    assert [(a.author, a.body, a.line) for a in first.other_answers] == [
        ("이답변", "저도 궁금했는데,\n소프트맥스가 포화되지 않게 하려는 것 같아요.", 13),
        ("박보충", "원 논문 3.2절에 나옵니다.", 15),
    ]
    assert [(a.author, a.body) for a in second.other_answers] == [
        ("이답변", "미래 토큰을 가립니다.")
    ]
    assert {(m.name, m.emoji) for m in session.members} >= {("이답변", "🐱"), ("박보충", "")}


def test_by_topic_layout_summary_ends_before_the_separator_that_closes_the_topics():
    text = (
        "# 8주차\n**발표일**: 2025.05.16\n\n# 주제\n## 정규화\n- 발표자: **김발표**\n\n"
        "### 요약\n층 정규화를 다룬다.\n\n---\n\n# 회고\n## 김발표\n### 소감\n좋았다.\n"
    )
    assert parse(text, filename="8.md").presentations[0].summary == "층 정규화를 다룬다."


@pytest.mark.parametrize(
    ("line", "visibility"),
    [("", ""), ("visibility: private\n", "private"), ("visibility: Members\n", "members")],
)
def test_journal_visibility_from_the_front_matter(line, visibility):
    journal = parse(f"---\ntitle: 일지\n{line}---\n본문\n")
    assert journal.visibility == visibility


def test_journal_with_an_unknown_visibility_is_refused():
    with pytest.raises(ParseError) as error:
        parse("---\ntitle: 일지\nvisibility: public\n---\n본문\n")
    assert (
        str(error.value)
        == "line 1: unknown visibility 'public' in the front matter (private or members)"
    )


# Importer fidelity: notes written in the documented formats.


def test_parse_answer_written_none_leaves_the_question_unanswered():
    text = (
        "# 3주차\n**발표일**: 2025.03.07\n\n# 주제\n## 어텐션\n- 발표자: 김민지\n\n"
        "# 회고\n## 김민지\n### 받은 질문\n- Q1: 왜 나누나요?\n- A1: 없음\n- Q2: 또 있나요?\n- A2: 네\n"
    )
    [talk] = parse(text).presentations
    assert [(q.body, q.answer) for q in talk.questions] == [
        ("왜 나누나요?", None),
        ("또 있나요?", "네"),
    ]


def test_parse_arrow_answer_none_leaves_the_question_unanswered():
    text = (
        "# 2주차\n**발표일**: 2025.02.07\n\n### Team 1\n- **Members**: 김민지\n"
        "- 참고 논문: [Paper](https://arxiv.org/abs/1706.03762)\n\n### 질의응답\n- 김민지🐱\n"
        "💙 받은 질문 : 왜 그런가요?\n-> 답변 : 없음\n"
    )
    [talk] = parse(text).presentations
    assert [(q.body, q.answer) for q in talk.questions] == [("왜 그런가요?", None)]


def test_parse_bracketed_heading_rest_is_the_title_without_brackets():
    parsed = parse(
        "# 14주차 (보강)\n**발표일**: 2025.03.07\n\n# 주제\n## 어텐션\n- 발표자: 김민지\n"
    )
    assert (parsed.number, parsed.title) == (14, "보강")


def test_decode_utf16_file_says_to_save_it_as_utf8():
    data = "# 1주차\n**발표일**: 2025.03.07\n".encode("utf-16")
    with pytest.raises(
        ParseError, match="^saved as UTF-16: save the file as UTF-8 and import it again$"
    ):
        decode(data)
