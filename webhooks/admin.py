"""Subscriptions and the delivery log in the admin. The signing secret is shown once, in the
message after an endpoint is added; it is never displayed again."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import services, signing
from .models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    # Checked by services.clean_url (https, public addresses), not by Django's URL guesswork.
    url = forms.CharField(max_length=2000, help_text="https://, resolving to public addresses.")
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in EVENT_TYPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "community", "description"]

    def clean(self):
        cleaned = super().clean()
        community = cleaned.get("community")
        for field, check in (
            ("community", lambda: services.clean_community(community)),
            ("url", lambda: services.clean_url(cleaned.get("url"))),
            ("events", lambda: services.clean_events(cleaned.get("events"), community=community)),
        ):
            if field not in cleaned:
                continue
            try:
                value = check()
            except ValidationError as exc:
                for message in exc.message_dict.get(field, exc.messages):
                    self.add_error(field, message)
            else:
                cleaned[field] = value
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "events", "community", "active", "consecutive_failures", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "active",
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
        "created_by",
        "created_at",
    ]
    actions = ["enable", "disable"]
    autocomplete_fields = []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = signing.secret_new()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                f"The signing secret of {obj.url} is {obj.secret} — copy it now: it is not "
                "shown again.",
            )

    @admin.action(description="Enable again (pending deliveries go out, oldest first)")
    def enable(self, request, queryset):
        with transaction.atomic():
            for endpoint in queryset:
                services.endpoint_enable(endpoint=endpoint)
        self.message_user(request, f"{queryset.count()} endpoint(s) enabled.")

    @admin.action(description="Disable (deliveries wait)")
    def disable(self, request, queryset):
        count = queryset.update(
            active=False, disabled_at=timezone.now(), disabled_reason="Disabled by an admin."
        )
        self.message_user(request, f"{count} endpoint(s) disabled.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "msg_id",
        "endpoint",
        "event_type",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["state", "event_type", "endpoint"]
    search_fields = ["msg_id"]
    list_select_related = ["endpoint"]
    actions = ["retry_now"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only, but the list's action needs change permission on the queryset.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Retry now (pending deliveries)")
    def retry_now(self, request, queryset):
        with transaction.atomic():
            count = services.deliveries_retry_now(deliveries=list(queryset))
        self.message_user(request, f"{count} pending delivery(ies) due now.")
