"""Uploads on a full disk: no partial file is left, and the writer hears of it."""

import errno
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.urls import reverse

from sessions.models import Presentation
from sessions.storage import AtomicFileSystemStorage
from tests.test_uploads import AJAX, UPLOAD_URL, image_bytes
from tests.views.test_talks import TINY_PDF, talk_data


def disk_full_after_first_chunk(file_class):
    """Files of `file_class` fill the disk a few bytes into their writing."""

    def chunks(self, chunk_size=None):
        self.seek(0)
        yield self.read(10)
        raise OSError(errno.ENOSPC, "No space left on device")

    return mock.patch.object(file_class, "chunks", chunks)


def files_under(root):
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_storage_saves_whole_files_under_free_names(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("slides/deck.pdf", ContentFile(b"first"))
    second = storage.save("slides/deck.pdf", ContentFile(b"second"))
    assert first == "slides/deck.pdf"
    assert second.startswith("slides/deck_") and second.endswith(".pdf")
    assert [(tmp_path / name).read_bytes() for name in (first, second)] == [b"first", b"second"]
    assert files_under(tmp_path) == sorted([first, second])


def test_storage_failing_mid_write_leaves_no_file(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    content = ContentFile(b"x" * 100)
    with disk_full_after_first_chunk(ContentFile), pytest.raises(OSError) as raised:
        storage.save("editor/picture.png", content)
    assert raised.value.errno == errno.ENOSPC
    assert files_under(tmp_path) == []
    assert storage.exists("editor/picture.png") is False


def test_storage_without_hard_links_still_names_the_file(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    with mock.patch("sessions.storage.os.link", side_effect=OSError(errno.EPERM, "no links here")):
        name = storage.save("slides/deck.pdf", ContentFile(b"whole"))
    assert (name, (tmp_path / name).read_bytes(), files_under(tmp_path)) == (
        "slides/deck.pdf",
        b"whole",
        ["slides/deck.pdf"],
    )


def test_default_storage_is_the_atomic_one():
    assert isinstance(storages["default"], AtomicFileSystemStorage)


@pytest.mark.django_db
def test_editor_upload_on_a_full_disk_answers_json_and_leaves_nothing(member_client, settings):
    with disk_full_after_first_chunk(ContentFile):
        response = member_client.post(
            UPLOAD_URL,
            {"image": SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png")},
            **AJAX,
        )
    assert (response.status_code, response["Content-Type"], response.json()) == (
        507,
        "application/json",
        {"image": ["The server's storage is full; the image was not saved."]},
    )
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_editor_upload_failing_otherwise_answers_json(member_client, settings):
    with mock.patch("sessions.storage.os.fsync", side_effect=OSError(errno.EIO, "I/O error")):
        response = member_client.post(
            UPLOAD_URL,
            {"image": SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png")},
            **AJAX,
        )
    assert (response.status_code, response.json()) == (
        500,
        {"image": ["The image could not be saved. Try again later."]},
    )
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_slides_on_a_full_disk_are_a_form_error_and_save_nothing(
    member_client, member, study_session, settings
):
    slides = SimpleUploadedFile("deck.pdf", TINY_PDF, content_type="application/pdf")
    with disk_full_after_first_chunk(InMemoryUploadedFile):
        response = member_client.post(
            reverse("study:talk-create", args=study_session.url_args),
            {**talk_data(member), "slides": slides},
        )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "slides": [
            "The slides could not be stored on the server. Nothing was saved; try again later."
        ]
    }
    assert (Presentation.objects.count(), files_under(settings.MEDIA_ROOT)) == (0, [])
