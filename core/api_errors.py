"""The API's one exception handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Its own module: DRF imports `core.api` (the authentication classes) while it builds
`rest_framework.views`, which this module imports.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .ratelimit import RateLimited
from .uploads import TooLarge


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The upload is too large."
    default_code = "too_large"


def django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": exc.messages})


def exception_handler(exc, context):
    """DRF's handler, plus: services' Django errors become 400/403 JSON, never a 500, and a
    rate limit becomes 429 with Retry-After, an upload too large 413."""
    if isinstance(exc, TooLarge):
        exc = PayloadTooLarge(exc.messages[0])
    elif isinstance(exc, RateLimited):
        # DRF's Throttled answers 429 and sets Retry-After from `wait`.
        exc = exceptions.Throttled(wait=exc.retry_after, detail=exc.message_text)
    elif isinstance(exc, DjangoValidationError):
        exc = django_validation_to_drf(exc)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
