from django.contrib import admin
from django.urls import include, path

from sessions.uploads import ImageUploadView
from sessions.views.notifications import switch_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher also works on the login page; it saves a
    # logged-in member's choice for their emails.
    path("i18n/setlang/", switch_language, name="set_language"),
    # Ahead of markdownx's own upload view, which trusts the client.
    path("markdownx/upload/", ImageUploadView.as_view(), name="markdownx_upload"),
    path("markdownx/", include("markdownx.urls")),
    path("", include("sessions.urls")),
]
