"""allauth hooks: who may sign up, every new account gets its profile, and nobody can take away
the way they sign in (profiles.login_identity)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError

from core.http import is_safe_next
from core.ratelimit import allauth_retry_after, client_ip

from . import login_limits
from .login_identity import MANAGED, email_removal_refusal
from .services import profile_card_changed, profile_ensure


def email_domain_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return domain in settings.ALLOWED_SIGNUP_DOMAINS


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # No allowed domains: accounts come only from an admin or single sign-on.
        return bool(settings.ALLOWED_SIGNUP_DOMAINS)

    def get_client_ip(self, request) -> str:
        # Behind DJANGO_TRUSTED_PROXY_COUNT proxies, the client's address, not the proxy's.
        return client_ip(request)

    def pre_authenticate(self, request, **credentials) -> None:
        # Past the failed-login limits (per account: ACCOUNT_RATE_LIMITS; per address, for
        # accounts not at home there: login_limits) the answer is a 429 with Retry-After, as
        # for every other limit, not a form error.
        try:
            if login_limits.address_refuses(request, credentials):
                raise self.validation_error("too_many_login_attempts")
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code != "too_many_login_attempts":
                raise
            response = respond_429(request)
            response["Retry-After"] = str(allauth_retry_after())
            raise ImmediateHttpResponse(response) from None

    def save_user(self, request, user, form, commit=True):
        # Only the sign-up forms come here (single sign-on links a SocialAccount, which makes
        # the account managed anyway): the one way to an account whose email is its own.
        user.signed_up_by_self = True
        return super().save_user(request, user, form, commit=commit)

    def can_delete_email(self, email_address) -> bool:
        # allauth's own rule lets the last address go when people also sign in by username,
        # which leaves the account stuck at "confirm your email" (issue 22).
        return not email_address.pk or email_removal_refusal(email_address) is None

    def is_safe_url(self, url: str) -> bool:
        # One rule for every `next` on the site (core.http): this host only. allauth's own
        # would also accept every host in ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS.
        return is_safe_next(context.request, url)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_limits.record_success(request, credentials)
        return user

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        login_limits.record_failure(request, credentials)

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if settings.ALLOWED_SIGNUP_DOMAINS and not email_domain_allowed(email):
            allowed = ", ".join(f"@{d}" for d in settings.ALLOWED_SIGNUP_DOMAINS)
            raise ValidationError(f"Use your company email address ({allowed}).")
        return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # The identity provider decides who works here; it is how accounts are provisioned.
        return True

    def validate_disconnect(self, account, accounts) -> None:
        # The link to single sign-on is the company's, like the email address it vouches for.
        raise ValidationError(MANAGED)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        profile = profile_ensure(user=user)
        claims = sociallogin.account.extra_data or {}
        name = claims.get("name") or user.get_full_name()
        title = claims.get("job_title") or claims.get("jobTitle") or ""
        if name and profile.display_name == user.username:
            profile.display_name = str(name)[:100]
        if title and not profile.title:
            profile.title = str(title)[:120]
        profile.save(update_fields=["display_name", "title", "updated_at"])
        profile_card_changed(user_ids=[user.pk])
        return user
