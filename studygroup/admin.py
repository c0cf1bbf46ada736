"""The admin site: the study group's own models first, login attempts last."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Sections in this order; the others (alphabetical) between the two lists.
FIRST_APPS = ["study", "auth"]
LAST_APPS = ["axes"]
# django-axes calls its section "Axes"; it holds the login attempts.
APP_NAMES = {"axes": _("Login attempts")}


class StudyAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])

        def place(app):
            label = app["app_label"]
            if label in FIRST_APPS:
                return (0, FIRST_APPS.index(label))
            if label in LAST_APPS:
                return (2, LAST_APPS.index(label))
            return (1, 0)

        return sorted(apps, key=place)
