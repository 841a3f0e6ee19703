"""What every page's header needs: the user's scope and network."""

from django.http import HttpRequest

from tremplin.organisations.access import scope_for


def navigation(request: HttpRequest) -> dict[str, object]:
    if not hasattr(request, "user"):
        return {}
    return {
        "scope": scope_for(request.user),
        "current_network": getattr(request, "network", None),
    }
