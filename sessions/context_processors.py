import functools

from sessions.models import Notification


def unread_notifications(request):
    """`unread_notifications`: the member's unread count for the bell, asked
    of the database only when a template shows it (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = functools.cache(lambda: Notification.objects.filter(recipient=user).unread().count())
    return {"unread_notifications": count}
