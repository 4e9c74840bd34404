"""How webhook notifications render (`notifications.registry`): to admins, when an endpoint was
disabled after repeated failures."""

from django.urls import reverse

from notifications.registry import Excerpt, register, register_readable
from profiles.models import User
from profiles.permissions import is_admin

from .models import WebhookEndpoint
from .services import DISABLED_KIND


def endpoint_url(notification, endpoint: WebhookEndpoint) -> str:
    return reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])


def endpoint_excerpt(endpoint: WebhookEndpoint) -> Excerpt | None:
    return Excerpt(text=f"{endpoint.url}: {endpoint.disabled_reason}")


def readable_endpoints(user_id: int, endpoints: list[WebhookEndpoint]) -> set[int]:
    user = User.objects.filter(pk=user_id).first()
    return {e.pk for e in endpoints} if user is not None and is_admin(user) else set()


def register_kinds() -> None:
    register(
        DISABLED_KIND,
        # "<who subscribed it> subscribed a webhook that was disabled…": admins are told.
        label="subscribed a webhook that was disabled after repeated failures",
        icon="check",
        model=WebhookEndpoint,
        url=endpoint_url,
        excerpt=endpoint_excerpt,
    )
    register_readable(WebhookEndpoint, readable_endpoints)
