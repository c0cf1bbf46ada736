import functools

from sessions.models import Notification


def unread_notifications(request):
    """`unread_notifications`: the member's unread count for the bell, read
    with the member (`MemberBackend`); asked of the database, once, only
    when the member came another way (just logged in) and a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if hasattr(user, "unread_count"):
        return {"unread_notifications": user.unread_count}
    count = functools.cache(lambda: Notification.objects.filter(recipient=user).unread().count())
    return {"unread_notifications": count}
