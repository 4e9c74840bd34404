"""allauth's email management, page and app API, with the rules of profiles.login_identity.

allauth has no adapter hook for adding an address for a signed-in person or for choosing the
primary one, so these two views stand in for allauth's own at the same URLs and names
(enterprise_social.allauth_urls). Refusals are a 403 (managed account) or 400 (a change that
would leave the person unable to sign in), with the reason.
"""

from allauth.account.models import EmailAddress
from allauth.account.views import EmailView as AllauthEmailView
from allauth.headless.account.inputs import (
    AddEmailInput,
    DeleteEmailInput,
    MarkAsPrimaryEmailInput,
    ResendEmailVerificationInput,
    SelectEmailInput,
)
from allauth.headless.account.views import ManageEmailView as AllauthManageEmailView
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .login_identity import (
    MANAGED,
    email_add_refusal,
    email_primary_refusal,
    email_removal_refusal,
    login_email_is_managed,
)

PAGE_ACTIONS = ("action_add", "action_remove", "action_primary")


class EmailView(AllauthEmailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        managed = login_email_is_managed(self.request.user)
        context["email_managed"] = managed
        if managed:
            context["can_add_email"] = False
        return context

    def post(self, request, *args, **kwargs):
        refusal = self._refusal(request)
        if refusal is None:
            return super().post(request, *args, **kwargs)
        messages.error(request, refusal)
        response = self.get(request, *args, **kwargs)
        response.status_code = 403 if refusal == MANAGED else 400
        return response

    def _refusal(self, request) -> str | None:
        action = next((a for a in PAGE_ACTIONS if a in request.POST), None)
        if action is None:
            return None
        if action == "action_add":
            return email_add_refusal(request.user)
        address = _own_address(request.user, request.POST.get("email", ""))
        if address is None:
            return MANAGED if login_email_is_managed(request.user) else None
        if action == "action_remove":
            return email_removal_refusal(address)
        return email_primary_refusal(address)


def _own_address(user, email: str) -> EmailAddress | None:
    try:
        validate_email(email)
    except ValidationError:
        return None
    return EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).first()


class CompanyAddEmailInput(AddEmailInput):
    def clean_email(self):
        refusal = email_add_refusal(self.user)
        if refusal:
            raise ValidationError(refusal, code="managed_email")
        return super().clean_email()


# These two replace allauth's checks (weaker: see login_identity) rather than add to them.
class CompanyDeleteEmailInput(DeleteEmailInput):
    def clean_email(self):
        address = SelectEmailInput.clean_email(self)
        refusal = address.pk and email_removal_refusal(address)
        if refusal:
            raise ValidationError(refusal, code="cannot_remove_email")
        return address


class CompanyMarkAsPrimaryEmailInput(MarkAsPrimaryEmailInput):
    def clean_email(self):
        address = SelectEmailInput.clean_email(self)
        refusal = email_primary_refusal(address)
        if refusal:
            raise ValidationError(refusal, code="cannot_mark_primary")
        return address


class ManageEmailView(AllauthManageEmailView):
    input_class = {
        "POST": CompanyAddEmailInput,
        "PUT": ResendEmailVerificationInput,
        "DELETE": CompanyDeleteEmailInput,
        "PATCH": CompanyMarkAsPrimaryEmailInput,
    }
