"""The admin upload page imports and reports like import_legacy."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions.models import ImportedFile, Presentation, Question, Reflection, StudySession
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "legacy"
URL = "/admin/study/importedfile/import/"


def upload(name, folder=FIXTURES):
    return SimpleUploadedFile(
        name.rsplit("/", 1)[-1], (folder / name).read_bytes(), content_type="text/markdown"
    )


@pytest.fixture
def staff_client(client, db):
    admin = factories.MemberFactory(
        username="admin", display_name="관리자", is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    return client


def test_admin_import_url_name_resolves():
    assert reverse("admin:study_importedfile_import") == URL


def test_admin_import_page_shows_the_form(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "files",
        "author",
        "season",
        "aliases",
        "dry_run",
    ]
    assert response.context["report"] is None


def test_admin_import_uploads_files_and_reports_like_the_command(staff_client):
    owner = factories.MemberFactory(username="owner", display_name="주인")
    response = staff_client.post(
        URL,
        {
            "files": [
                upload("session_by_team.md"),
                upload("journal_jekyll.md"),
                upload("bad/no_number.md"),
            ],
            "author": owner.pk,
            "aliases": "윤도헌=윤도현\n",
        },
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert [(f.path, f.error) for f in report.files] == [
        ("upload/session_by_team.md", ""),
        ("upload/journal_jekyll.md", ""),
        ("upload/no_number.md", "line 1: no session number: expected a heading such as '# 6주차'"),
    ]
    assert StudySession.objects.get().number == 5
    assert Presentation.objects.count() == 2
    assert Question.objects.filter(addressed_to__display_name="윤도현").count() == 1
    assert owner.reflections.journals().get().title == "<Day012> 확률과 통계 복습"
    record = ImportedFile.objects.get(path="upload/session_by_team.md")
    assert record.imported_by.username == "admin"
    summary = response.context["summary"]
    assert summary.startswith("2 file(s) imported, 1 failed.\n")
    assert (
        "  upload/no_number.md: line 1: no session number: expected a heading such as '# 6주차'"
        in summary
    )
    assert "upload/no_number.md: line 1: no session number" in response.content.decode()


def test_admin_import_dry_run_writes_nothing(staff_client):
    response = staff_client.post(URL, {"files": [upload("session_by_topic.md")], "dry_run": "on"})
    assert response.status_code == 200
    assert response.context["summary"].startswith(
        "Dry run: nothing was written. 1 file(s) would be imported, 0 failed."
    )
    assert StudySession.objects.count() == 0
    assert Reflection.objects.count() == 0


@pytest.fixture
def staging(settings, tmp_path):
    settings.LEGACY_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.LEGACY_IMPORT_STAGING_DIR


def test_admin_import_dry_run_names_the_members_it_would_create(staff_client, staging):
    factories.MemberFactory(display_name="김민지")
    response = staff_client.post(URL, {"files": [upload("session_by_topic.md")], "dry_run": "on"})
    report = response.context["report"]
    assert "김민지" not in report.new_members
    assert report.new_members and all(
        name in response.content.decode() for name in report.new_members
    )
    assert (
        f"New members it would create: {', '.join(report.new_members)}"
        in response.context["summary"]
    )
    assert "Members it would create" in response.content.decode()


def test_admin_import_for_real_imports_the_dry_runs_files(staff_client, staging):
    dry = staff_client.post(
        URL, {"files": [upload("session_by_team.md")], "aliases": "윤도헌=윤도현", "dry_run": "on"}
    )
    staged = dry.context["staged"]["staged"].value()
    assert "Import for real" in dry.content.decode()
    assert StudySession.objects.count() == 0
    response = staff_client.post(URL, {"staged": staged})
    assert response.status_code == 200
    assert response.context["report"].dry_run is False
    assert response.context["summary"].startswith("1 file(s) imported, 0 failed.")
    assert StudySession.objects.get().number == 5
    assert Question.objects.filter(addressed_to__display_name="윤도현").count() == 1
    assert ImportedFile.objects.get().path == "upload/session_by_team.md"
    assert list(staging.iterdir()) == []
    again = staff_client.post(URL, {"staged": staged})
    assert again.status_code == 400
    assert "no longer kept" in again.content.decode()


def test_admin_import_staged_value_is_bound_to_its_user(staff_client, client, staging):
    dry = staff_client.post(URL, {"files": [upload("session_by_topic.md")], "dry_run": "on"})
    staged = dry.context["staged"]["staged"].value()
    other = factories.MemberFactory(username="admin2", is_staff=True, is_superuser=True)
    client.force_login(other)
    assert client.post(URL, {"staged": staged}).status_code == 400
    assert client.post(URL, {"staged": "forged:value"}).status_code == 400
    assert StudySession.objects.count() == 0


def test_admin_import_without_files_is_a_form_error(staff_client):
    response = staff_client.post(URL, {"season": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"files": ["This field is required."]}
    assert response.context["report"] is None


def test_admin_import_report_is_in_korean(staff_client, staging):
    response = staff_client.post(
        URL, {"files": [upload("session_by_topic.md")], "dry_run": "on"}, HTTP_ACCEPT_LANGUAGE="ko"
    )
    page = response.content.decode()
    assert (
        "시험 실행: 아무것도 저장하지 않았습니다. 파일 1개를 가져올 수 있고, 0개는 실패했습니다."
        in page
    )
    assert "질문" in page and "생성" in page
    assert "would be imported" not in page and ">questions<" not in page


def test_admin_import_rejects_wrong_file_type(staff_client):
    bad = SimpleUploadedFile(
        "notes.html", b"<h1>6\xec\xa3\xbc\xec\xb0\xa8</h1>", content_type="text/html"
    )
    response = staff_client.post(URL, {"files": [bad]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "files": ["notes.html: only .md, .markdown and .txt files can be imported."]
    }
    assert StudySession.objects.count() == 0


def test_admin_import_rejects_bad_alias(staff_client):
    response = staff_client.post(
        URL,
        {"files": [upload("session_by_topic.md")], "aliases": "윤도헌"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "aliases": ["alias '윤도헌' is not of the form OLD=NEW"]
    }


def test_admin_import_forbidden_for_members(client, member):
    client.force_login(member)
    response = client.post(URL, {"files": [upload("session_by_topic.md")]})
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert StudySession.objects.count() == 0


def test_admin_import_forbidden_for_staff_without_permission(client, db):
    staff = factories.MemberFactory(username="clerk", display_name="직원", is_staff=True)
    client.force_login(staff)
    response = client.post(URL, {"files": [upload("session_by_topic.md")]})
    assert response.status_code == 403
    assert StudySession.objects.count() == 0


def test_admin_changelist_links_to_import(staff_client):
    response = staff_client.get("/admin/study/importedfile/")
    assert response.status_code == 200
    assert 'href="/admin/study/importedfile/import/"' in response.content.decode()


def test_admin_import_errors_and_warnings_are_in_korean(staff_client):
    response = staff_client.post(
        URL, {"files": [upload("bad/no_number.md")]}, HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert [f.error for f in response.context["report"].files] == [
        "1번째 줄: 모임 번호가 없습니다: '# 6주차' 같은 제목이 필요합니다"
    ]
    assert "오류 1개:" in response.context["summary"]
