from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from sessions.forms.accounts import LoginForm
from sessions.uploads import ImageUploadView
from sessions.views.editor import markdown_preview
from sessions.views.favicon import favicon
from sessions.views.health import healthz
from sessions.views.notifications import switch_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher also works on the login page; it saves a
    # logged-in member's choice for their emails.
    path("i18n/setlang/", switch_language, name="set_language"),
    # Ahead of markdownx's own upload view, which trusts the client.
    path("markdownx/upload/", ImageUploadView.as_view(), name="markdownx_upload"),
    # Ahead of markdownx's own preview, which has no length limit.
    path("markdownx/markdownify/", markdown_preview, name="markdownx_markdownify"),
    path("markdownx/", include("markdownx.urls")),
    path("", include("sessions.urls")),
]

# A failed request: the 503 page while the database is unreachable, else the 500 page.
handler500 = "sessions.views.errors.server_error"
