"""Who owns a person's sign-in email, and which changes to it keep them able to sign in.

The rules (docs/security.md, "Accounts"): an account is *managed* when self sign-up is closed
(`ALLOWED_SIGNUP_DOMAINS` empty), when it did not come from self sign-up (an admin, single
sign-on or provisioning made it), or when it is linked to single sign-on. A managed account's
email addresses are the company's: the person cannot add, remove or change them, through the
pages or the app API; an admin can (docs/operations.md). Anyone else may manage their addresses
but never remove their last address or their last verified one, never remove the primary one
before choosing another, and never make an unverified one primary.
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings

MANAGED = (
    "Your sign-in email address is managed by the company. "
    "Ask an administrator if it needs to change."
)
LAST_ADDRESS = (
    "You cannot remove your only email address: you sign in and reset your password with it."
)
LAST_VERIFIED = (
    "You cannot remove your last verified email address: you sign in and reset your "
    "password with it. Verify another address first."
)
PRIMARY = (
    "You cannot remove your primary email address. Make another verified address primary first."
)
UNVERIFIED_PRIMARY = "Only a verified email address can be your primary address."


def login_email_is_managed(user) -> bool:
    if not settings.ALLOWED_SIGNUP_DOMAINS or not user.signed_up_by_self:
        return True
    return SocialAccount.objects.filter(user_id=user.pk).exists()


def email_add_refusal(user) -> str | None:
    return MANAGED if login_email_is_managed(user) else None


def email_removal_refusal(email_address: EmailAddress) -> str | None:
    if login_email_is_managed(email_address.user):
        return MANAGED
    others = EmailAddress.objects.filter(user_id=email_address.user_id).exclude(pk=email_address.pk)
    if not others.exists():
        return LAST_ADDRESS
    if email_address.verified and not others.filter(verified=True).exists():
        return LAST_VERIFIED
    if email_address.primary:
        return PRIMARY
    return None


def email_primary_refusal(email_address: EmailAddress) -> str | None:
    if login_email_is_managed(email_address.user):
        return MANAGED
    if not email_address.verified:
        return UNVERIFIED_PRIMARY
    return None
