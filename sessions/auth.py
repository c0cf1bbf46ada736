"""The authentication backend: Django's, with the request's member read
together with the bell's unread count, so that the header costs no query of
its own on every page."""

from django.contrib.auth.backends import ModelBackend

from sessions.models import Member

# The dotted path sessions store for members who log in with a password.
MEMBER_BACKEND = "sessions.auth.MemberBackend"


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        member = Member.objects.with_unread_count().filter(pk=user_id).first()
        return member if member is not None and self.user_can_authenticate(member) else None
