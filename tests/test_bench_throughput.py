"""The throughput benchmark's own parts: the writer's forms, cookies and
schedule, and the table it prints (tests/benchmarks/bench_throughput.py)."""

import argparse
import threading

import pytest
from django.urls import reverse

from tests import factories
from tests.benchmarks import bench_throughput
from tests.benchmarks.bench_throughput import (
    MIXED_THRESHOLDS,
    SESSION,
    TRIVIAL,
    WRITE_MIX,
    RateSchedule,
    edited_body,
    empty_total,
    form_with,
    format_table,
    int_list,
    number_list,
    parse_forms,
    plan_step,
    summary_rows,
    update_cookies,
    verdict,
)

PAGE = """
<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="a"></form>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="t&amp;k">
  <input type="text" name="title" value="제목">
  <input type="date" name="date" value="2025-03-04">
  <input type="radio" name="visibility" value="private">
  <input type="radio" name="visibility" value="members" checked>
  <input type="checkbox" name="notify" value="yes">
  <input type="checkbox" name="pin" checked>
  <input type="text" name="locked" value="x" disabled>
  <select name="addressed_to"><option value="3">a</option><option value="7" selected>b</option></select>
  <select name="first"><option value="1">one</option><option value="2">two</option></select>
  <textarea name="body">
첫 줄 &lt;b&gt;

끝</textarea>
  <button type="submit" name="go">Save</button>
  <input type="submit" name="also" value="Save">
</form>
"""


def test_parse_forms_gives_what_a_browser_submits():
    logout, edit = parse_forms(PAGE)
    assert logout == {
        "method": "post",
        "action": "/accounts/logout/",
        "fields": [("csrfmiddlewaretoken", "a")],
    }
    assert edit["action"] == ""
    assert edit["fields"] == [
        ("csrfmiddlewaretoken", "t&k"),
        ("title", "제목"),
        ("date", "2025-03-04"),
        ("visibility", "members"),
        ("pin", "on"),
        ("addressed_to", "7"),
        ("first", "1"),
        # The newline Django writes after <textarea> is not part of the value.
        ("body", "첫 줄 <b>\n\n끝"),
    ]


def test_form_with_picks_the_post_form_with_the_field():
    assert form_with(PAGE, "body")["fields"][1] == ("title", "제목")
    assert form_with(PAGE, "csrfmiddlewaretoken")["action"] == "/accounts/logout/"
    assert form_with(PAGE, "nothing") is None


def test_edited_body_replaces_its_own_mark():
    once = edited_body("질문입니다.", 3)
    assert once == "질문입니다.\n\n(edit 3)"
    assert edited_body(once, 4) == "질문입니다.\n\n(edit 4)"
    # As a browser sends a textarea back: CRLF line ends.
    assert edited_body(once.replace("\n", "\r\n"), 5) == "질문입니다.\n\n(edit 5)"
    assert edited_body("(edit 2) stays when it is not the end", 1).startswith("(edit 2) stays")


def test_update_cookies_sets_and_deletes():
    jar = {"messages": "old"}
    update_cookies(
        jar,
        [
            "csrftoken=abc; expires=Tue, 30 Nov 2027 19:00:00 GMT; Max-Age=31449600; Path=/; "
            "SameSite=Lax; Secure",
            "sessionid=xyz; HttpOnly; Path=/; Secure",
            'messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
        ],
    )
    assert jar == {"csrftoken": "abc", "sessionid": "xyz"}


def test_rate_schedule_keeps_the_rate_and_never_bursts():
    schedule = RateSchedule(5, start=100.0)
    assert schedule.delay(100.0) == 0.0
    schedule.started(100.0)
    assert schedule.delay(100.05) == pytest.approx(0.15)
    schedule.started(100.2)  # on time
    assert schedule.next == pytest.approx(100.4)
    # The write took 0.5 s: the next starts at once, then 0.2 s apart again.
    assert schedule.delay(100.9) == 0.0
    schedule.started(100.9)
    assert schedule.delay(100.9) == pytest.approx(0.2)


def test_the_writer_skips_starts_while_every_tab_is_busy(monkeypatch):
    release, submitted = threading.Event(), []

    def submit(browser, path, field, change, follow):
        submitted.append((path, change("text")))
        release.wait(10)

    monkeypatch.setattr(bench_throughput.Browser, "submit", submit)
    plan = {kind: [f"/{kind}/"] for kind in WRITE_MIX}
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    threading.Timer(0.4, release.set).start()
    result = bench_throughput.write(1, {}, plan, rate=50, stop=stop, tabs=2)
    assert result["writes"] == 2 and result["errors"] == []
    assert result["missed"] >= 5
    assert sorted(submitted) == [
        ("/journal/", "text\n\n(edit 0)"),
        ("/question elsewhere/", "text\n\n(edit 1)"),
    ]


def test_plan_step_rotates_each_kind_and_reads_one_in_five():
    plan = {
        "journal": ["/j1", "/j2", "/j3"],
        "question elsewhere": ["/q1", "/q2"],
        "answer elsewhere": ["/a1"],
        "read session": ["/r1", "/r2"],
    }
    steps = [plan_step(plan, number) for number in range(10)]
    assert [kind for kind, _ in steps] == list(WRITE_MIX) * 2
    assert [path for _, path in steps] == [
        "/j1", "/q1", "/j2", "/a1", "/r1",
        "/j3", "/q2", "/j1", "/a1", "/r2",
    ]  # fmt: skip
    assert sum(kind == "read session" for kind, _ in steps) == 2


def test_number_lists():
    assert number_list("1,5") == [1.0, 5.0]
    assert number_list(" 0.2, 1 ") == [0.2, 1.0]
    assert int_list("2,4") == [2, 4]
    for bad in ("", "0", "a,b", "-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            number_list(bad)
    with pytest.raises(argparse.ArgumentTypeError):
        int_list("2.5")


def measured(requests, seconds=10.0, writes=0, write_errors=()):
    total = empty_total()
    total["latencies"] = [10.0] * requests
    total["seconds"] = seconds
    total["writes"] = writes
    total["write_seconds"] = seconds if writes else 0.0
    total["write_errors"] = list(write_errors)
    total["write_latencies"] = [120.0] * writes
    return total


def test_summary_table_ratios_and_verdicts():
    totals = {
        2: {
            (TRIVIAL, None): measured(3000),
            (SESSION, None): measured(2000),
            (SESSION, 1.0): measured(1900, writes=10),
            (SESSION, 5.0): measured(1000, writes=48, write_errors=["POST /x: 200"]),
        },
        4: {
            (TRIVIAL, None): measured(3000),
            (SESSION, None): measured(1000),
            (SESSION, 1.0): measured(800, writes=10),
            (SESSION, 5.0): measured(800, writes=50),
        },
    }
    rows = dict(summary_rows(totals, [2, 4], [1.0, 5.0]))
    assert rows["trivial page, reads alone"][0].split()[:2] == ["300.0", "req/s"]
    # 47 of the 48 writes went through in 10 s.
    assert rows["writes achieved at 5 w/s"][0].split()[:2] == ["4.70", "w/s"]
    assert "1/48 errors" in rows["writes achieved at 5 w/s"][0]
    assert rows["mixed 1 w/s / alone"][0].split() == ["95.0%", "pass", "(>=", "90%)"]
    assert rows["mixed 1 w/s / alone"][1].split()[:2] == ["80.0%", "FAIL"]
    assert rows["mixed 5 w/s / alone"][0].split()[:2] == ["50.0%", "FAIL"]
    assert rows["mixed 5 w/s / alone"][1].split()[:2] == ["80.0%", "pass"]
    assert rows["session alone / trivial"][0].split()[:2] == ["66.7%", "pass"]
    assert rows["session alone / trivial"][1].split()[:2] == ["33.3%", "FAIL"]
    table = format_table(list(rows.items()), [2, 4]).splitlines()
    assert table[0].split() == ["measurement", "2", "workers", "4", "workers"]
    assert len(table) == 2 + len(rows)
    # Columns line up: every cell is in its header's column.
    first, second = table[0].index("2 workers"), table[0].index("4 workers")
    for line, (_, (two, four)) in zip(table[2:], rows.items(), strict=True):
        assert line[first:second].rstrip() == two.rstrip()
        assert line[second:] == four.rstrip()


def test_a_rate_without_a_threshold_gets_no_verdict():
    assert 2.0 not in MIXED_THRESHOLDS
    totals = {
        2: {
            (TRIVIAL, None): measured(100),
            (SESSION, None): measured(100),
            (SESSION, 2.0): measured(50, writes=20),
        }
    }
    rows = dict(summary_rows(totals, [2], [2.0]))
    assert rows["mixed 2 w/s / alone"][0].split() == ["50.0%"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["journal", "question", "answer"])
def test_the_writers_edit_goes_through_the_apps_forms(client, member, presenter, talk, kind):
    """The form the writer parses is the one the app renders, and submitting
    it as parsed, with the body changed, saves (302)."""
    if kind == "journal":
        row = factories.JournalEntryFactory(author=member)
        path = reverse("study:journal-edit", args=[row.pk])
    elif kind == "question":
        row = factories.QuestionFactory(presentation=talk, asked_by=member)
        path = reverse("study:question-edit", args=[row.pk])
    else:
        row = factories.AnswerFactory(question=factories.QuestionFactory(presentation=talk))
        member = row.author
        path = reverse("study:answer-edit", args=[row.pk])
    client.force_login(member)
    form = form_with(client.get(path).content.decode(), "body")
    assert form is not None
    fields = [
        (name, edited_body(value, 7) if name == "body" else value) for name, value in form["fields"]
    ]
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    response = client.post(form["action"] or path, data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.body.endswith("\n\n(edit 7)")


def test_verdict_is_strict_at_the_threshold():
    assert verdict(0.5, 0.5) == "pass (>= 50%)"
    assert verdict(0.4996, 0.5) == "FAIL (>= 50%)"
    assert verdict(0.2, None) == ""
