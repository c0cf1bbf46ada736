"""Paper metadata from arXiv, Crossref and DataCite, fetched in the background.

Every test talks HTTP to a local server (tests/registry.py) that answers
with bodies in each service's documented format; nothing leaves the machine.
"""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.models import ContentVersion, Paper
from sessions.papers import sources
from sessions.papers.fetch import update_paper
from sessions.papers.ratelimit import RateLimiter
from sessions.papers.tasks import fetch_paper_metadata
from tests import factories
from tests.editing import opened_form
from tests.registry import ARXIV_PATH, Answer, Registry, fixture, point_settings_at

ATTENTION = "https://arxiv.org/abs/1706.03762"
BACKPROP_DOI = "10.1038/323533a0"
RESNET_DOI = "10.1109/cvpr.2016.90"
ARXIV_DOI = "10.48550/arxiv.1706.03762"
TASK_PATH = "sessions.papers.tasks.fetch_paper_metadata"


class FakeClock:
    """Time that moves only when slept through: rate limits without waiting."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, db):
    clock = FakeClock()
    monkeypatch.setattr(
        sources, "arxiv_limiter", RateLimiter("arxiv", 3, clock=clock, sleep=clock.sleep)
    )
    return clock


@pytest.fixture
def registry(settings, clock, db):
    """The three registries on 127.0.0.1, knowing "Attention Is All You Need"
    (arXiv, and its arXiv DOI at DataCite), backprop (Crossref, a journal) and
    ResNet (Crossref, a conference)."""
    with Registry() as registry:
        point_settings_at(settings, registry)
        registry.answer(
            ARXIV_PATH,
            arxiv_id="1706.03762",
            body=fixture("arxiv_1706.03762.xml"),
            content_type="application/atom+xml",
        )
        registry.answer(
            ARXIV_PATH, body=fixture("arxiv_empty.xml"), content_type="application/atom+xml"
        )
        registry.answer(
            f"/crossref/works/{BACKPROP_DOI}", body=fixture("crossref_10.1038_323533a0.json")
        )
        registry.answer(
            f"/crossref/works/{RESNET_DOI}", body=fixture("crossref_10.1109_cvpr.2016.90.json")
        )
        registry.answer(
            f"/datacite/dois/{ARXIV_DOI}", body=fixture("datacite_10.48550_arxiv.1706.03762.json")
        )
        yield registry


@pytest.fixture
def admin_client_study(client, db):
    client.force_login(factories.MemberFactory(username="root", is_staff=True, is_superuser=True))
    return client


def queued(paper):
    """The fetch tasks waiting for `paper`."""
    return list(
        DBTaskResult.objects.filter(
            task_path=TASK_PATH, status="READY", args_kwargs__args=[paper.pk]
        )
    )


def resolve(link, title=""):
    """Resolve as the talk form does, running the on-commit enqueue."""
    return Paper.objects.resolve(link, title)[0]


# Fetching: a new arXiv paper and new DOI papers get their details


def test_new_arxiv_paper_gets_title_authors_year_abstract_category(
    registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paper = resolve("arxiv.org/pdf/1706.03762v5.pdf")
    assert paper.metadata_state == "pending"
    assert len(queued(paper)) == 1
    assert registry.requests == []  # the resolver never waits on the network

    assert fetch_paper_metadata.call(paper.pk) == [
        "fetched",
        [
            "title",
            "authors",
            "year",
            "published_on",
            "abstract",
            "arxiv_category",
            "arxiv_version",
            "venue_kind",
        ],
    ]
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need"
    assert paper.authors == "Ashish Vaswani; Noam Shazeer; Niki Parmar; Jakob Uszkoreit"
    assert paper.author_names()[:2] == [("Ashish", "Vaswani"), ("Noam", "Shazeer")]
    assert (paper.year, paper.published_on) == (2017, date(2017, 6, 12))
    assert paper.abstract.startswith(
        "The dominant sequence transduction models are based on complex"
    )
    assert "mechanisms & dispensing" in paper.abstract
    assert (paper.venue, paper.venue_kind) == ("", "preprint")
    assert (paper.arxiv_category, paper.arxiv_version) == ("cs.CL", 7)
    assert (paper.metadata_state, paper.metadata_error, paper.metadata_retry_at) == (
        "fetched",
        "",
        None,
    )
    assert paper.title_key == "attention is all you need"
    [request] = registry.requests
    assert (request.path, request.query) == (
        ARXIV_PATH,
        {"id_list": ["1706.03762"], "max_results": ["1"]},
    )
    assert (
        request.headers["User-Agent"]
        == "StudyGroup/0.1 (study group paper library; mailto:organizers@study.example)"
    )


def test_title_that_is_only_the_link_is_replaced_by_the_fetched_one(registry):
    """Imported notes often list a bare link: its text became the title."""
    paper = resolve("arxiv.org/pdf/1706.03762v2.pdf", "arxiv.org/pdf/1706.03762v2.pdf")
    update_paper(paper.pk)
    paper.refresh_from_db()
    assert paper.title == "Attention Is All You Need"


def test_new_journal_doi_gets_details_from_crossref(registry):
    paper = resolve(f"https://doi.org/{BACKPROP_DOI}")
    assert update_paper(paper.pk)[0] == "fetched"
    paper.refresh_from_db()
    assert paper.title == "Learning representations by back-propagating errors"
    assert paper.author_names() == [
        ("David E.", "Rumelhart"),
        ("Geoffrey E.", "Hinton"),
        ("Ronald J.", "Williams"),
    ]
    assert (paper.year, paper.published_on) == (1986, None)  # Crossref gives the month only
    assert (paper.venue, paper.venue_kind) == ("Nature", "journal")
    assert paper.abstract == (
        "We describe a new learning procedure, back-propagation, for networks of neurone-like units."
        "\n\nThe procedure repeatedly adjusts the weights & connections in the network."
    )
    [request] = registry.requests
    assert request.path == f"/crossref/works/{BACKPROP_DOI}"
    assert request.query == {"mailto": ["organizers@study.example"]}
    assert "mailto:organizers@study.example" in request.headers["User-Agent"]


def test_new_conference_doi_gets_its_proceedings_as_venue(registry):
    paper = resolve(f"doi:{RESNET_DOI}", "ResNet")
    update_paper(paper.pk)
    paper.refresh_from_db()
    assert paper.title == "ResNet"  # what the person typed stays
    assert paper.authors == "Kaiming He; Xiangyu Zhang; Shaoqing Ren; Jian Sun"
    assert (paper.venue, paper.venue_kind, paper.year) == (
        "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
        "conference",
        2016,
    )


def test_doi_crossref_does_not_know_comes_from_datacite(registry):
    paper = resolve(f"https://doi.org/{ARXIV_DOI}")
    assert update_paper(paper.pk)[0] == "fetched"
    paper.refresh_from_db()
    assert registry.paths() == [f"/crossref/works/{ARXIV_DOI}", f"/datacite/dois/{ARXIV_DOI}"]
    assert paper.title == "Attention Is All You Need"
    assert paper.author_names() == [("Ashish", "Vaswani"), ("Noam", "Shazeer"), ("Niki", "Parmar")]
    assert (paper.year, paper.published_on) == (2017, date(2017, 6, 12))
    assert (paper.venue, paper.venue_kind) == ("arXiv", "preprint")
    assert paper.abstract.startswith("The dominant sequence transduction")


# Failures keep what was typed, say so, and try again later


def _typed_paper(link="https://arxiv.org/abs/2401.99999"):
    return resolve(link, "What the presenter typed")


@pytest.mark.parametrize(
    ("link", "path", "answer", "error"),
    [
        ("https://arxiv.org/abs/2401.99999", None, None, "arXiv does not know this paper"),
        (
            "https://doi.org/10.5555/unknown",
            None,
            None,
            "DataCite does not know this paper (HTTP 404)",
        ),
        (
            "https://arxiv.org/abs/2401.99999",
            ARXIV_PATH,
            Answer(200, b"<html><body>Service maintenance</body></html>", "text/html"),
            "arXiv sent something that is not an Atom feed",
        ),
        (
            "https://doi.org/10.5555/unknown",
            "/crossref/works/10.5555/unknown",
            Answer(200, b'{"status": "ok", "message": ', "application/json"),
            "Crossref sent something that is not JSON",
        ),
        (
            "https://doi.org/10.5555/unknown",
            "/crossref/works/10.5555/unknown",
            Answer(500, b"Internal error", "text/plain"),
            "Crossref answered HTTP 500",
        ),
        (
            "https://arxiv.org/abs/2401.99999",
            ARXIV_PATH,
            Answer(200, fixture("arxiv_empty.xml"), delay=1.5),
            "arXiv did not answer within 0.5 s",
        ),
    ],
    ids=[
        "arxiv-unknown",
        "doi-unknown-everywhere",
        "arxiv-malformed",
        "crossref-malformed",
        "crossref-500",
        "timeout",
    ],
)
def test_failed_fetch_keeps_the_paper_as_typed_and_retries_later(
    registry, link, path, answer, error, django_capture_on_commit_callbacks
):
    if path:
        registry.answer(path, answer)
    paper = _typed_paper(link)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert update_paper(paper.pk) == ("failed", error)
    paper.refresh_from_db()
    assert (paper.title, paper.authors, paper.year, paper.abstract) == (
        "What the presenter typed",
        "",
        None,
        "",
    )
    assert (paper.metadata_state, paper.metadata_error, paper.metadata_attempts) == (
        "failed",
        error,
        1,
    )
    # Tried again in an hour: a task waits until then.
    assert paper.metadata_retry_at - before >= timedelta(hours=1)
    [retry] = queued(paper)
    assert abs(retry.run_after - paper.metadata_retry_at) < timedelta(seconds=5)


def test_busy_service_is_asked_again_after_its_retry_after(
    registry, clock, django_capture_on_commit_callbacks
):
    registry.answer(
        ARXIV_PATH, Answer(429, b"Rate exceeded.", "text/plain", headers={"Retry-After": "120"})
    )
    paper = _typed_paper()
    with django_capture_on_commit_callbacks(execute=True):
        assert update_paper(paper.pk) == ("failed", "arXiv asked to come back later (HTTP 429)")
    paper.refresh_from_db()
    assert (paper.title, paper.metadata_state) == ("What the presenter typed", "failed")
    [retry] = queued(paper)
    assert timedelta(seconds=110) < retry.run_after - timezone.now() <= timedelta(seconds=120)
    # And no arXiv request goes out before then, even for another paper.
    clock.slept.clear()
    sources.arxiv_limiter.wait()
    assert clock.slept == [120]


def test_unavailable_crossref_with_an_http_date_retry_after(
    registry, django_capture_on_commit_callbacks
):
    when = timezone.now() + timedelta(minutes=10)
    registry.answer(
        "/crossref/works/10.5555/busy",
        Answer(
            503,
            b"",
            "text/plain",
            headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")},
        ),
    )
    paper = resolve("https://doi.org/10.5555/busy", "Busy")
    with django_capture_on_commit_callbacks(execute=True):
        update_paper(paper.pk)
    [retry] = queued(paper)
    assert timedelta(minutes=9) < retry.run_after - timezone.now() <= timedelta(minutes=10)


def test_retry_after_a_failure_fills_the_paper_once_the_service_answers(registry):
    registry.answer(ARXIV_PATH, Answer(503, b"", "text/plain"), arxiv_id="1706.03762")
    paper = resolve(ATTENTION, "Transformers")
    assert update_paper(paper.pk)[0] == "failed"
    registry.answer(ARXIV_PATH, arxiv_id="1706.03762", body=fixture("arxiv_1706.03762.xml"))
    assert fetch_paper_metadata.call(paper.pk)[0] == "fetched"
    paper.refresh_from_db()
    assert (paper.title, paper.year, paper.metadata_state, paper.metadata_attempts) == (
        "Transformers",
        2017,
        "fetched",
        0,
    )


def test_failures_stop_being_retried_after_the_last_attempt(
    registry, settings, django_capture_on_commit_callbacks
):
    settings.PAPER_METADATA_ATTEMPTS = 2
    paper = _typed_paper()
    with django_capture_on_commit_callbacks(execute=True):
        update_paper(paper.pk)
        update_paper(paper.pk)
    paper.refresh_from_db()
    assert (paper.metadata_attempts, paper.metadata_retry_at) == (2, None)
    assert len(queued(paper)) == 1  # only after the first failure


def test_unreachable_registry_is_a_failure_not_an_error(settings, clock, db):
    """Offline: nothing listens on the port; the paper stays as typed."""
    with Registry() as gone:
        base = gone.base
    settings.PAPER_ARXIV_API_URL = f"{base}{ARXIV_PATH}"
    paper = _typed_paper()
    assert update_paper(paper.pk) == ("failed", "arXiv could not be reached (ConnectError)")


# People's edits win


def test_a_persons_edit_survives_a_later_fetch(registry, admin_client_study):
    paper = resolve(ATTENTION)
    url = reverse("admin:study_paper_change", args=[paper.pk])
    response = admin_client_study.post(
        url,
        {
            "title": "Attention (our reading)",
            "url": ATTENTION,
            "authors": "Vaswani et al.",
            "year": "",
            "published_on": "",
            "venue": "",
            "venue_kind": "",
            "arxiv_category": "",
            "arxiv_version": "",
            "abstract": "",
        },
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.edited_fields == ["authors", "title"]

    update_paper(paper.pk)
    paper.refresh_from_db()
    assert (paper.title, paper.authors) == ("Attention (our reading)", "Vaswani et al.")
    assert (paper.year, paper.arxiv_category) == (2017, "cs.CL")  # empty, unedited: filled


def test_cleared_field_stays_empty_after_a_fetch(registry):
    paper = resolve(ATTENTION)
    paper.mark_edited(["abstract"])
    paper.save(update_fields=["edited_fields"])
    update_paper(paper.pk)
    paper.refresh_from_db()
    assert (paper.abstract, paper.year) == ("", 2017)


def test_admin_add_with_an_arxiv_link_fetches_in_the_background(
    admin_client_study, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_study.post(
            reverse("admin:study_paper_add"),
            {"title": "Attention", "url": ATTENTION, "authors": "", "year": "2017", "abstract": ""},
        )
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert (paper.metadata_state, paper.edited_fields) == ("pending", ["title", "year"])
    assert len(queued(paper)) == 1


def test_talk_form_enqueues_the_fetch_and_never_waits(
    registry, presenter_client, talk, django_capture_on_commit_callbacks
):
    url = reverse("study:talk-edit", args=[talk.pk])
    data = opened_form(presenter_client, url)
    data["paper_links"] = f"Attention Is All You Need | {ATTENTION}"
    with django_capture_on_commit_callbacks(execute=True):
        response = presenter_client.post(url, data)
    assert response.status_code == 302
    paper = talk.papers.get()
    assert paper.metadata_state == "pending"
    assert len(queued(paper)) == 1
    assert registry.requests == []
    page = presenter_client.get(paper.get_absolute_url()).content.decode()
    assert "Fetching details" in page


@pytest.mark.django_db(transaction=True)
def test_enqueued_fetch_runs_in_the_database_worker(registry):
    """End to end: the resolver enqueues on commit, `db_worker` runs the task."""
    with transaction.atomic():
        paper = resolve(f"https://doi.org/{BACKPROP_DOI}")
    [task] = queued(paper)
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value[0] == "fetched"
    paper.refresh_from_db()
    assert (paper.title, paper.venue, paper.metadata_state) == (
        "Learning representations by back-propagating errors",
        "Nature",
        "fetched",
    )


# The rate limit, without sleeping


def test_arxiv_requests_are_three_seconds_apart(registry, clock):
    first, second = resolve(ATTENTION), resolve("https://arxiv.org/abs/2401.99999", "Other")
    update_paper(first.pk)
    clock.now += 1  # one second later
    update_paper(second.pk)
    assert clock.slept == [2]
    assert len(registry.requests) == 2


def test_rate_limiter_spaces_calls_by_its_interval(db):
    clock = FakeClock()
    limiter = RateLimiter("test", 3, clock=clock, sleep=clock.sleep)
    delays = [limiter.wait() for _ in range(3)]
    clock.now += 10
    delays.append(limiter.wait())
    assert delays == [0, 3, 3, 0]
    assert clock.slept == [3, 3]


def test_rate_limiter_hold_delays_the_next_call(db):
    clock = FakeClock()
    limiter = RateLimiter("test", 3, clock=clock, sleep=clock.sleep)
    limiter.wait()
    limiter.hold(60)
    assert limiter.wait() == 60


def test_rate_limiters_of_two_processes_share_the_next_free_moment(db):
    """A worker and a command running beside it keep to one limit together."""
    clock = FakeClock()
    worker = RateLimiter("arxiv", 3, clock=clock, sleep=clock.sleep)
    command = RateLimiter("arxiv", 3, clock=clock, sleep=clock.sleep)
    other_service = RateLimiter("other", 3, clock=clock, sleep=clock.sleep)
    assert (worker.wait(), command.wait(), worker.wait(), other_service.wait()) == (0, 3, 3, 0)


def test_retry_after_parses_seconds_and_dates():
    now = timezone.now()
    assert sources.retry_after_seconds("30") == 30
    assert sources.retry_after_seconds(
        (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT"), now
    ) in (89, 90)
    assert sources.retry_after_seconds("soon") is None


# One paper per title


def test_same_title_through_two_unrelated_urls_is_one_paper(db):
    first, created = Paper.objects.resolve(
        "https://www.cs.toronto.edu/~hinton/absps/naturebp.pdf",
        "Learning representations by back-propagating errors",
    )
    again, created_again = Paper.objects.resolve(
        "https://example.edu/reading/backprop.pdf?utm_source=x",
        "Learning Representations by Back-Propagating Errors.",
    )
    assert (created, created_again, again) == (True, False, first)
    assert Paper.objects.count() == 1


def test_same_title_with_compatibility_forms_and_spacing_is_one_paper(db):
    first = resolve(
        "https://a.example/x", "ＢＥＲＴ:  Pre-training of Deep Bidirectional Transformers"
    )
    assert (
        resolve("https://b.example/y", "bert — pre‐training of deep bidirectional transformers")
        == first
    )


def test_title_match_gives_a_plain_link_paper_its_arxiv_id(db, django_capture_on_commit_callbacks):
    first = resolve("https://example.org/attention.pdf", "Attention Is All You Need")
    with django_capture_on_commit_callbacks(execute=True):
        again = resolve(ATTENTION, "Attention is all you need")
    assert again == first
    first.refresh_from_db()
    assert (first.arxiv_id, first.url, first.metadata_state) == ("1706.03762", ATTENTION, "pending")
    assert len(queued(first)) == 1


def test_two_arxiv_ids_with_one_title_stay_two_papers(db):
    first = resolve("https://arxiv.org/abs/2401.00001", "Introduction")
    assert resolve("https://arxiv.org/abs/2401.00002", "Introduction") != first


def test_import_finds_the_paper_by_title_without_a_link(db):
    paper = resolve(
        "https://example.org/bp.pdf", "Learning representations by back-propagating errors"
    )
    assert (
        Paper.objects.resolve("", "learning representations by back-propagating errors")[0] == paper
    )


def test_merge_action_moves_every_talk_without_duplicates(admin_client_study, db):
    keep = resolve("https://arxiv.org/abs/1706.03762", "Attention Is All You Need")
    other = factories.PaperFactory(
        title="Attention is all you need!",
        url="https://example.org/attn.pdf",
        authors="",
        year=None,
    )
    other.abstract = "An abstract only the duplicate had."
    other.save()
    both = factories.PresentationFactory(papers=[keep, other])
    only_other = factories.PresentationFactory(papers=[other])
    response = admin_client_study.post(
        reverse("admin:study_paper_changelist"),
        {"action": "merge_papers", "_selected_action": [keep.pk, other.pk], "keep": keep.pk},
    )
    assert response.status_code == 302
    assert not Paper.objects.filter(pk=other.pk).exists()
    through = Paper.presentations.through.objects
    assert sorted(through.filter(paper=keep).values_list("presentation_id", flat=True)) == sorted(
        [both.pk, only_other.pk]
    )
    assert through.filter(presentation=both).count() == 1
    keep.refresh_from_db()
    assert keep.abstract == "An abstract only the duplicate had."


def test_merge_action_asks_which_paper_to_keep(admin_client_study, db):
    papers = factories.PaperFactory.create_batch(2)
    response = admin_client_study.post(
        reverse("admin:study_paper_changelist"),
        {"action": "merge_papers", "_selected_action": [p.pk for p in papers]},
    )
    assert response.status_code == 200
    assert list(response.context["papers"]) == papers


def test_merge_action_needs_exactly_two(admin_client_study, db):
    papers = factories.PaperFactory.create_batch(3)
    response = admin_client_study.post(
        reverse("admin:study_paper_changelist"),
        {"action": "merge_papers", "_selected_action": [p.pk for p in papers]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Select exactly two papers to merge."]
    assert Paper.objects.count() == 3


def test_list_duplicate_papers_groups_equal_titles(db):
    a = factories.PaperFactory(title="Deep Learning", url="https://a.example/dl")
    b = factories.PaperFactory(title="deep  learning.", url="https://b.example/dl")
    factories.PaperFactory(title="Shallow Learning")
    out = StringIO()
    call_command("list_duplicate_papers", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 papers titled “Deep Learning”:",
        f"  #{a.pk} Deep Learning — https://a.example/dl",
        f"  #{b.pk} deep  learning. — https://b.example/dl",
        "1 group(s) of likely duplicates.",
    ]


# refresh_paper_metadata


def _snapshot():
    return (
        list(Paper.objects.order_by("pk").values()),
        DBTaskResult.objects.count(),
        ContentVersion.objects.tokens(),
    )


def test_refresh_dry_run_writes_nothing(registry, django_capture_on_commit_callbacks):
    resolve(ATTENTION)
    resolve("https://arxiv.org/abs/2401.99999", "Unknown")
    before = _snapshot()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_paper_metadata", "--dry-run", stdout=out)
    assert _snapshot() == before
    assert out.getvalue().splitlines() == [
        "[1/2] https://arxiv.org/abs/1706.03762 (arXiv 1706.03762): fetched — would fill title, authors, "
        "year, published_on, abstract, arxiv_category, arxiv_version, venue_kind",
        "[2/2] Unknown (arXiv 2401.99999): failed — arXiv does not know this paper",
        "Dry run, nothing written: 1 fetched, 1 failed, 0 skipped of 2 paper(s).",
    ]


def test_refresh_missing_fetches_only_papers_without_details(registry, clock):
    done = resolve(ATTENTION)
    update_paper(done.pk)
    waiting = resolve(f"https://doi.org/{BACKPROP_DOI}")
    factories.PaperFactory(url="https://example.org/plain", title="No identifier")
    registry.requests.clear()
    out = StringIO()
    call_command("refresh_paper_metadata", stdout=out)
    assert registry.paths() == [f"/crossref/works/{BACKPROP_DOI}"]
    waiting.refresh_from_db()
    assert waiting.metadata_state == "fetched"
    assert out.getvalue().splitlines()[-1] == "1 fetched, 0 failed, 0 skipped of 1 paper(s)."


def test_refresh_all_keeps_to_the_arxiv_rate_limit(registry, clock):
    for n in range(3):
        resolve(f"https://arxiv.org/abs/2401.0000{n}", f"Paper {n}")
    call_command("refresh_paper_metadata", "--all", verbosity=0)
    assert clock.slept == [3, 3]
    assert len(registry.requests) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--missing"], "argument --missing: not allowed with argument --all"),
        (["--limit", "0"], "--limit must be a positive number"),
    ],
)
def test_refresh_bad_arguments_are_command_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("refresh_paper_metadata", *args)


def test_merge_into_a_plain_link_paper_takes_the_others_arxiv_id(
    db, django_capture_on_commit_callbacks
):
    keep = resolve("https://example.org/attention.pdf", "Attention Is All You Need (notes)")
    other = resolve(ATTENTION, "Attention Is All You Need")
    with django_capture_on_commit_callbacks(execute=True):
        keep.absorb(other)
    keep.refresh_from_db()
    assert (keep.title, keep.url, keep.arxiv_id) == (
        "Attention Is All You Need (notes)",
        ATTENTION,
        "1706.03762",
    )
    assert Paper.objects.count() == 1
    assert len(queued(keep)) == 1
