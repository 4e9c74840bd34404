from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import Http404
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
        from allauth.socialaccount.models import SocialApp

        if isinstance(exception, SocialApp.DoesNotExist):
            raise Http404("No such sign-in provider.") from exception
        return None
