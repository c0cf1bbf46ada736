"""Uploads on local disk and in an S3-compatible bucket work the same way.

The bucket is served by moto in server mode on 127.0.0.1 (a real HTTP S3
API, started here): slides and editor images are stored, members download
them (the app streams them, or redirects to a short-lived presigned URL),
anonymous visitors get the login page, and replaced or deleted slides leave
the storage.
"""

import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from sessions.models import Presentation
from studygroup.settings import s3_media_storage
from tests.editing import opened_form
from tests.factories import SEASON
from tests.views.test_talks import TINY_PDF, talk_data

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)


def use_bucket(settings, monkeypatch, endpoint, prefix=""):
    """A new bucket as the storage of uploads, configured as production
    configures it: through the DJANGO_S3_* variables."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    for name, value in {
        "DJANGO_S3_BUCKET": bucket,
        "DJANGO_S3_ENDPOINT_URL": endpoint,
        "DJANGO_S3_REGION": "us-east-1",
        "DJANGO_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "DJANGO_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "DJANGO_S3_PREFIX": prefix,
        "DJANGO_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": s3_media_storage()}
    return bucket


@pytest.fixture(params=["local", "s3"])
def storage(request, settings, monkeypatch):
    """Each test runs on local disk and on the bucket; the app streams."""
    settings.MEDIA_SERVE = "stream"
    if request.param == "s3":
        use_bucket(settings, monkeypatch, request.getfixturevalue("s3_endpoint"))
    return request.param


def post_talk(client, member, name="deck.pdf", content=TINY_PDF):
    slides = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
    )
    assert response.status_code == 302
    return Presentation.objects.get()


def downloaded(response):
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def png():
    buffer = BytesIO()
    Image.new("RGB", (3, 2), (10, 200, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_slides_upload_is_stored_and_downloaded_by_members(
    storage, member_client, member, study_session
):
    talk = post_talk(member_client, member)

    assert default_storage.exists(talk.slides.name)
    assert talk.slides.url == f"/media/{talk.slides.name}"
    response = member_client.get(talk.slides.url)
    assert downloaded(response) == TINY_PDF
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == (
        "application/pdf",
        "nosniff",
    )
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'; img-src 'self'"


@pytest.mark.django_db
def test_slides_download_anonymous_gets_the_login_page(
    storage, member_client, member, study_session, outsider_client
):
    talk = post_talk(member_client, member)

    response = outsider_client.get(talk.slides.url, follow=True)
    assert response.redirect_chain == [(f"/accounts/login/?next={talk.slides.url}", 302)]
    assert response.templates[0].name == "registration/login.html"


@pytest.mark.django_db
def test_slides_with_a_korean_name_download(storage, member_client, member, study_session):
    talk = post_talk(member_client, member, name="발표 자료.pdf")

    assert talk.slides.name.startswith("slides/") and "발표_자료" in talk.slides.name
    assert talk.slides.url.startswith("/media/slides/") and "%EB%B0%9C%ED%91%9C" in talk.slides.url
    assert downloaded(member_client.get(talk.slides.url)) == TINY_PDF


@pytest.mark.django_db
def test_editor_image_is_stored_and_downloaded_by_members(storage, member_client, outsider_client):
    response = member_client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile("그림.png", png(), "image/png")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    url = response.json()["image_code"].removeprefix("![](").removesuffix(")")

    assert url.startswith("/media/editor/") and url.endswith(".png")
    assert (
        downloaded(member_client.get(url))
        == default_storage.open(url.removeprefix("/media/")).read()
    )
    assert outsider_client.get(url).url == f"/accounts/login/?next={url}"


@pytest.mark.django_db
def test_missing_file_is_404(storage, member_client):
    assert member_client.get("/media/slides/2025/nothing.pdf").status_code == 404


@pytest.mark.django_db
def test_replacing_slides_deletes_the_old_file(
    storage, member_client, member, study_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        talk = post_talk(member_client, member)
    old = talk.slides.name
    url = reverse("study:talk-edit", args=[talk.pk])
    new = SimpleUploadedFile("deck2.pdf", TINY_PDF + b"%v2\n", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            url, {**opened_form(member_client, url), **talk_data(member), "slides": new}
        )
    talk.refresh_from_db()

    assert (default_storage.exists(old), default_storage.exists(talk.slides.name)) == (False, True)
    assert member_client.get(f"/media/{old}").status_code == 404
    assert downloaded(member_client.get(talk.slides.url)) == TINY_PDF + b"%v2\n"


@pytest.mark.django_db
def test_deleting_a_talk_deletes_its_slides(
    storage, member_client, member, study_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        talk = post_talk(member_client, member)
    name = talk.slides.name
    with django_capture_on_commit_callbacks(execute=True):
        talk.delete()

    assert default_storage.exists(name) is False


# On S3: a presigned redirect, a prefix inside the bucket.


@pytest.mark.django_db
def test_s3_redirect_sends_members_to_a_presigned_url_that_expires(
    settings, monkeypatch, s3_endpoint, member_client, member, study_session, outsider_client
):
    bucket = use_bucket(settings, monkeypatch, s3_endpoint)
    settings.MEDIA_SERVE, settings.MEDIA_URL_EXPIRY = "redirect", 120
    talk = post_talk(member_client, member)

    before = datetime.now(UTC).replace(microsecond=0)
    response = member_client.get(talk.slides.url)
    after = datetime.now(UTC)
    location = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)

    assert response.status_code == 302
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == f"{s3_endpoint}/{bucket}/{talk.slides.name}"
    )
    assert (query["X-Amz-Algorithm"], query["X-Amz-Expires"]) == ("AWS4-HMAC-SHA256", "120")
    assert before <= signed_at <= after
    assert "no-store" in response["Cache-Control"]
    with urllib.request.urlopen(response["Location"], timeout=10) as from_bucket:
        assert from_bucket.read() == TINY_PDF
    # Anonymous visitors never see a bucket address.
    assert outsider_client.get(talk.slides.url).url == f"/accounts/login/?next={talk.slides.url}"


@pytest.mark.django_db
def test_s3_objects_are_private_without_a_signature(
    settings, monkeypatch, s3_endpoint, member_client, member, study_session
):
    bucket = use_bucket(settings, monkeypatch, s3_endpoint)
    talk = post_talk(member_client, member)

    acl = s3_client(s3_endpoint).get_object_acl(Bucket=bucket, Key=talk.slides.name)
    assert [grant["Grantee"].get("URI") for grant in acl["Grants"]] == [None]
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]


@pytest.mark.django_db
def test_s3_prefix_keeps_the_files_in_a_folder_of_the_bucket(
    settings, monkeypatch, s3_endpoint, member_client, member, study_session
):
    bucket = use_bucket(settings, monkeypatch, s3_endpoint, prefix="/groups/ai-reading/")
    talk = post_talk(member_client, member)

    keys = [
        item["Key"] for item in s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
    ]
    assert keys == [f"groups/ai-reading/{talk.slides.name}"]
    assert talk.slides.url == f"/media/{talk.slides.name}"
    assert downloaded(member_client.get(talk.slides.url)) == TINY_PDF


# On local disk behind nginx: X-Accel-Redirect.


@pytest.mark.django_db
def test_accel_hands_the_file_to_nginx(
    settings, member_client, member, study_session, outsider_client
):
    settings.MEDIA_SERVE = "accel"
    talk = post_talk(member_client, member, name="발표.pdf")

    response = member_client.get(talk.slides.url)
    assert (response.status_code, response.content) == (200, b"")
    assert response["X-Accel-Redirect"] == "/protected-media/" + talk.slides.url.removeprefix(
        "/media/"
    )
    assert response["Content-Type"] == "application/pdf"
    assert outsider_client.get(talk.slides.url).has_header("X-Accel-Redirect") is False


@pytest.mark.django_db
def test_accel_missing_file_is_404(settings, member_client):
    settings.MEDIA_SERVE = "accel"
    response = member_client.get("/media/slides/2025/nothing.pdf")
    assert (response.status_code, response.has_header("X-Accel-Redirect")) == (404, False)


@pytest.mark.parametrize("path", ["/media/slides/.0f3a.part", "/media/.hidden/deck.pdf"])
def test_hidden_names_are_not_served(member_client, path):
    assert member_client.get(path).status_code == 404


def test_storage_fixture_uses_the_bucket(storage):
    default_storage.exists("anything")  # the lazy storage made from the settings
    expected = {"local": "AtomicFileSystemStorage", "s3": "MembersS3Storage"}[storage]
    assert type(default_storage._wrapped).__name__ == expected
