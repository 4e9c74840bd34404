import io
import json
import logging
import re

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import load_handler
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.cache import add_never_cache_headers

# JSON surfaces answer 401 themselves (DRF, allauth headless, SCIM provisioning with its bearer
# tokens) instead of redirecting to a page.
JSON_PREFIXES = ("/api/", "/_allauth/", "/scim/")


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


# What PostgreSQL cannot store in text or compare with it: NUL (text values end at it) and lone
# UTF-16 surrogates (no UTF-8 form; only JSON's "\\udxxx" escapes produce them). SQLite takes
# both, so without this guard a test suite on SQLite never sees the 500s PostgreSQL gives.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "The request holds a value that cannot be stored: a NUL character, a lone surrogate, "
    "or JSON nested too deeply."
)


def _unstorable(value: str) -> bool:
    return UNSTORABLE.search(value) is not None


def _any_unstorable(values) -> bool:
    return any(_unstorable(value) for value in values)


def _json_strings(value):
    """Every string in a parsed JSON document, keys included, without recursion (a deep
    document must not exhaust the stack here)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _form_values(query: QueryDict) -> list[str]:
    return [*query.keys(), *(value for _, values in query.lists() for value in values)]


class UnstorableInputMiddleware:
    """Refuse, before anything reads the database, a request carrying a value PostgreSQL cannot
    take: in the path a 404 (nothing is named so), anywhere else (query string, headers and
    cookies, form or JSON body, uploaded file names) a 400, JSON for the API and app clients
    and the 400 page for browsers (`views.error_400`, `views.error_404`).

    It sits before the session and authentication middleware, so a hostile session cookie or
    `X-Session-Token` never reaches a session lookup, and the error pages render as for an
    anonymous visitor without touching the database.

    Bodies: JSON is parsed once more here (DRF and allauth parse it again; bodies are small and
    capped by DATA_UPLOAD_MAX_MEMORY_SIZE); a document nested too deeply to parse is a 400 too.
    Form bodies are parsed from `request.body`, which stays readable for the view (DRF parses
    PUT and PATCH itself); so a PUT or PATCH form is capped like a JSON body, and only a POST
    upload beyond the cap is parsed by Django's streaming `request.POST`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _unstorable(request.path_info):
            raise Http404("No such page.")
        if self.unstorable_input(request):
            raise BadRequest(UNSTORABLE_MESSAGE)
        return self.get_response(request)

    def unstorable_input(self, request) -> bool:
        if _any_unstorable(_form_values(request.GET)):
            return True
        if _any_unstorable(request.headers.keys()) or _any_unstorable(request.headers.values()):
            return True
        if _any_unstorable([*request.COOKIES.keys(), *request.COOKIES.values()]):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS") and not request.META.get("CONTENT_LENGTH"):
            return False
        content_type = request.content_type or ""
        if "json" in content_type:
            return self.unstorable_json(request.body)
        if content_type == "application/x-www-form-urlencoded":
            form = request.POST if request.method == "POST" else QueryDict(request.body)
            return _any_unstorable(_form_values(form))
        if content_type == "multipart/form-data":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if request.method == "POST" and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                # A large upload is parsed as Django would, streaming to disk; its body could
                # not be read into memory by a view anyway.
                form, files = request.POST, request.FILES
            else:
                # From the body, which stays readable for views that read it (allauth's JSON
                # endpoints take an empty form post too).
                handlers = [load_handler(name, request) for name in settings.FILE_UPLOAD_HANDLERS]
                parser = MultiPartParser(
                    request.META, io.BytesIO(request.body), handlers, request.encoding
                )
                form, files = parser.parse()
            names = [upload.name or "" for _, uploads in files.lists() for upload in uploads]
            return _any_unstorable([*_form_values(form), *files.keys(), *names])
        return False

    @staticmethod
    def unstorable_json(body: bytes) -> bool:
        if b"\x00" in body:
            return True
        try:
            document = json.loads(body)
        except RecursionError:
            return True
        except ValueError:
            return False  # not JSON: the parser behind answers 400 with its own message
        return _any_unstorable(_json_strings(document))
