"""Uploaded files are served to members only, and never sniffed into another type."""

import pytest


@pytest.fixture
def stored_file(settings):
    folder = settings.MEDIA_ROOT / "slides" / "2025"
    folder.mkdir(parents=True)
    (folder / "talk.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return "/media/slides/2025/talk.pdf"


def test_media_requires_login(outsider_client, stored_file):
    response = outsider_client.get(stored_file)
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={stored_file}")


def test_media_is_served_with_nosniff_and_a_sandbox(member_client, stored_file):
    response = member_client.get(stored_file)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'; img-src 'self'"


def test_media_outside_the_folder_is_not_served(member_client, stored_file):
    response = member_client.get("/media/../pyproject.toml")
    assert response.status_code == 400


def test_media_missing_file_is_404(member_client, stored_file):
    assert member_client.get("/media/slides/2025/nothing.pdf").status_code == 404
