"""allauth's pages and app API, as far as this product uses them.

allauth registers some endpoints whatever the settings say (login by code, phone numbers, token
refresh, the legacy `social/` pages); those this product does not use are left out here, so they
answer 404 and drop out of allauth's OpenAPI description too. The email views are ours
(profiles.account_views), at allauth's URLs and names. docs/security.md, "Accounts", lists every
endpoint that stays and why; tests/profiles/test_login_identity.py holds this list to it.
"""

import json
import re
from functools import wraps

from allauth import urls as allauth_pages
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.headless import urls as allauth_headless
from allauth.headless.constants import Client
from django.http import JsonResponse
from django.urls import URLPattern, URLResolver

from profiles.account_views import EmailView, ManageEmailView

# Under /accounts/.
PAGES_OFF = frozenset(
    {
        "login/code/confirm/",  # login by emailed code: not enabled
        # allauth's old names for the 3rdparty/ pages, kept by it for compatibility only
        "social/login/cancelled/",
        "social/login/error/",
        "social/signup/",
        "social/connections/",
    }
)
# Under /_allauth/.
HEADLESS_OFF = frozenset(
    {
        "app/v1/auth/code/confirm",  # login by emailed code: not enabled
        "app/v1/auth/email/verify/resend",  # verification by code: not enabled (links are)
        "app/v1/auth/phone/verify",  # no phone numbers
        "app/v1/auth/phone/verify/resend",
        "app/v1/account/phone",
        "app/v1/tokens/refresh",  # session tokens have no refresh token
    }
)
PAGES_REPLACED = {"email/": EmailView.as_view()}
HEADLESS_REPLACED = {"app/v1/account/email": ManageEmailView.as_api_view(client=Client.APP)}


def json_errors(view):
    """allauth answers a body that is not a JSON object with an empty text/html 400; its own
    description (and this product's contract) say errors are JSON, in allauth's error shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except ImmediateHttpResponse as answer:  # how allauth sends that 400
            response = answer.response
        if response.status_code == 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            error = {"message": "The request body must be a JSON object.", "code": "invalid"}
            return JsonResponse({"status": 400, "errors": [error]}, status=400)
        return response

    return wrapped


# A link-based reset key is "<user id in base 36>-<token>"; allauth splits it and turns a key
# with nothing before the "-" into a TypeError (a 500) in `url_str_to_user_pk`.
RESET_KEY = re.compile(r"[0-9a-z]{1,13}-", re.IGNORECASE)


def reset_key_checked(view):
    """`auth/password/reset`: a key that cannot name anyone is refused the way allauth refuses
    a wrong one (400, `invalid_password_reset`), before allauth parses it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.headers.get("X-Password-Reset-Key")
        if request.method == "POST":
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                body = None
            key = body.get("key") if isinstance(body, dict) else None
        if isinstance(key, str) and key and not RESET_KEY.match(key):
            error = {
                "message": "The password reset token was invalid.",
                "code": "invalid_password_reset",
                "param": "key",
            }
            return JsonResponse({"status": 400, "errors": [error]}, status=400)
        return view(request, *args, **kwargs)

    return wrapped


HEADLESS_GUARDED = {"app/v1/auth/password/reset": reset_key_checked}


def _kept(
    patterns, off: frozenset, replaced: dict, prefix: str = "", wrap=lambda view: view
) -> list:
    kept = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            kept.append(
                URLResolver(
                    pattern.pattern,
                    _kept(pattern.url_patterns, off, replaced, route, wrap),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        elif route not in off:
            callback = replaced.get(route, pattern.callback)
            callback = wrap(HEADLESS_GUARDED.get(route, lambda view: view)(callback))
            kept.append(URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name))
    return kept


page_patterns = _kept(allauth_pages.urlpatterns, PAGES_OFF, PAGES_REPLACED)
headless_patterns = _kept(
    allauth_headless.urlpatterns, HEADLESS_OFF, HEADLESS_REPLACED, wrap=json_errors
)
