"""allauth's pages and app API, as far as this product uses them.

allauth registers some endpoints whatever the settings say (login by code, phone numbers, token
refresh, the legacy `social/` pages); those this product does not use are left out here, so they
answer 404 and drop out of allauth's OpenAPI description too. The email views are ours
(profiles.account_views), at allauth's URLs and names. docs/security.md, "Accounts", lists every
endpoint that stays and why; tests/profiles/test_login_identity.py holds this list to it.
"""

from allauth import urls as allauth_pages
from allauth.headless import urls as allauth_headless
from allauth.headless.constants import Client
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


def _kept(patterns, off: frozenset, replaced: dict, prefix: str = "") -> list:
    kept = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            kept.append(
                URLResolver(
                    pattern.pattern,
                    _kept(pattern.url_patterns, off, replaced, route),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        elif route not in off:
            callback = replaced.get(route, pattern.callback)
            kept.append(URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name))
    return kept


page_patterns = _kept(allauth_pages.urlpatterns, PAGES_OFF, PAGES_REPLACED)
headless_patterns = _kept(allauth_headless.urlpatterns, HEADLESS_OFF, HEADLESS_REPLACED)
