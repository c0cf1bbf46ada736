from django.contrib.admin.apps import AdminConfig


class StudyAdminConfig(AdminConfig):
    """Django's admin with the study group's site (its sections in our order)."""

    default_site = "studygroup.admin.StudyAdminSite"
