"""Logging in and out, changing and resetting passwords."""

import re

from django.core import mail

from tests import factories

PASSWORD = "correct horse battery staple"


def test_login_page_needs_no_login(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'href="/accounts/password_reset/"' in response.content.decode()


def test_login_with_username_and_password_logs_in(client, member):
    # django-axes needs a request: pass through the real view.
    response = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member.pk)


def test_logout_logs_out(member_client):
    response = member_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in member_client.session


def test_password_change_anonymous_is_sent_to_login(outsider_client, db):
    response = outsider_client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_password_change_changes_my_password(member_client, member):
    assert member_client.get("/accounts/password_change/").status_code == 200
    response = member_client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "new pass phrase 5521",
            "new_password2": "new pass phrase 5521",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    member.refresh_from_db()
    assert member.check_password("new pass phrase 5521")
    done = member_client.get(response["Location"])
    assert done.status_code == 200
    assert "Your password was changed." in done.content.decode()


def test_password_change_wrong_old_password_changes_nothing(member_client, member):
    response = member_client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "new pass phrase 5521",
            "new_password2": "new pass phrase 5521",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["old_password"]
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_reset_end_to_end(client, member):
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "member@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert client.get(response["Location"]).status_code == 200
    [message] = mail.outbox
    assert message.to == ["member@example.org"]
    assert message.subject == "Reset your Study group password"
    assert "Your username is member." in message.body
    path = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    # Django swaps the token for a session marker, then shows the form.
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "reset pass 8812x", "new_password2": "reset pass 8812x"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"
    assert "You can log in now." in client.get("/accounts/reset/done/").content.decode()
    member.refresh_from_db()
    assert member.check_password("reset pass 8812x")


def test_password_reset_bad_link_shows_clear_page(client, db):
    response = client.get("/accounts/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "This link is not valid" in response.content.decode()


def test_password_reset_sends_nothing_to_members_without_password(client, db):
    factories.MemberFactory(email="imported@example.org", password=None)
    response = client.post("/accounts/password_reset/", {"email": "imported@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_nav_links_to_members_journal_and_my_profile(member_client, member):
    content = member_client.get("/journal/").content.decode()
    assert '<a href="/members/">' in content
    assert '<a href="/journal/" aria-current="page">' in content
    assert f'<a href="/members/{member.pk}/">' in content
