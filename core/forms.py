"""Page forms: one way to show a service's ValidationError on the form that called it."""

from django import forms
from django.core.exceptions import ValidationError


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach `exc`'s messages to their fields, or to the form when the field is not on it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
