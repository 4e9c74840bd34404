import logging

from allauth.socialaccount.models import SocialApp
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

# JSON surfaces answer 401 themselves (DRF, allauth headless) instead of redirecting to a page.
JSON_PREFIXES = ("/api/", "/_allauth/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs an authenticated, active user unless its view is `login_not_required`.

    Inactive users never get here as authenticated: the auth backends refuse them, so
    deactivating an account ends its sessions at once.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(JSON_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself; and nothing a logged-in user sees is cached publicly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
            response.headers["Cache-Control"] += ", private"
        return response


class UnknownSocialAppMiddleware:
    """A login URL naming a provider that is not configured is a 404, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SocialApp.DoesNotExist):
            raise Http404("No such sign-in provider.") from exception
        return None


DATABASE_DOWN = "The service is briefly unavailable (its database does not answer). Try again."


def database_unavailable_response(request):
    """503 with a clear message, JSON for the API and app clients, a page for browsers."""
    if request.path_info.startswith(JSON_PREFIXES) or (
        "application/json" in request.headers.get("Accept", "")
    ):
        response = JsonResponse({"detail": DATABASE_DOWN}, status=503)
    else:
        # No template: rendering one may need the database (context processors, the session).
        response = HttpResponse(
            "<!doctype html><title>Unavailable</title><h1>Briefly unavailable</h1>"
            f"<p>{DATABASE_DOWN}</p>",
            status=503,
        )
    response["Retry-After"] = "5"
    return response


def is_database_outage(exception) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """A database that does not answer (restart, failover) is a 503, never a 500.

    Errors raised outside views (in other middleware) reach `views.error_500`, which answers
    the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logging.getLogger(__name__).warning("database unavailable: %s", exception)
            return database_unavailable_response(request)
        return None
