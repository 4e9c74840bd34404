"""Where a `next` parameter may send the browser: back to this site, never elsewhere.

Django's `url_has_allowed_host_and_scheme` decides, so `//evil.example`, `/\\evil.example`,
`https://evil.example` and the other spellings browsers read as another host are refused.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The request's `next` (form field, else query parameter) if it stays on this site,
    otherwise `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and is_safe_next(request, candidate):
        return candidate
    return default
