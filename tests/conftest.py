"""Personas and shared fixtures.

Four people appear across the suite: an organizer, a presenter (of
`talk`), a member of the group who is neither, and an outsider who has no
account at all (the anonymous client).
"""

import pytest
from django.test import Client

from sessions import fragments
from tests import factories


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploads land in a throw-away folder; pages are in English so tests can
    quote their words (tests/test_pages_languages.py checks Korean); password
    hashing is cheap."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def versions_paused():
    """For tests that migrate back and write through old models: as under
    `migrate`, writes change no version while the schema is not current."""
    fragments.pause_versions()
    yield
    fragments.resume_versions()


@pytest.fixture
def organizer(db):
    return factories.OrganizerFactory(username="organizer", display_name="정운영", emoji="🦉")


@pytest.fixture
def presenter(db):
    return factories.MemberFactory(username="presenter", display_name="강발표", emoji="🐼")


@pytest.fixture
def member(db):
    return factories.MemberFactory(username="member", display_name="조회원", emoji="🐱")


@pytest.fixture
def study_session(db):
    return factories.StudySessionFactory(number=6, title="트랜스포머 다시 읽기")


@pytest.fixture
def talk(study_session, presenter):
    return factories.PresentationFactory(
        session=study_session, topic="셀프 어텐션", presenters=[presenter]
    )


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outsider_client():
    """Nobody logged in."""
    return Client()


@pytest.fixture
def organizer_client(organizer):
    return _client_for(organizer)


@pytest.fixture
def presenter_client(presenter):
    return _client_for(presenter)


@pytest.fixture
def member_client(member):
    return _client_for(member)
