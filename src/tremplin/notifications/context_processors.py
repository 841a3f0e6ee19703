"""The unread count shown on the bell of every page's header."""

from django.http import HttpRequest

from tremplin.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: counted (one query) only when the header renders it.
    return {"unread_notification_count": lambda: unread_count(user)}
