"""How the pages name a user: full name, else email, else a dash."""

from django import template

register = template.Library()


@register.filter
def person(user: object) -> str:
    if user is None:
        return "—"
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or getattr(user, "email", "") or "—")
