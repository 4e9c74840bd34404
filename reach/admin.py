from django.contrib import admin
from django.utils import timezone

from .models import EmailDelivery, NotificationSettings, PushRetry, PushSubscription


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """The outbox: failed emails (after every retry) are found with the state filter."""

    list_display = ("id", "recipient", "kind", "state", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("recipient__username", "to_address")
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Try again now (failed or pending)")
    def retry_now(self, request, queryset):
        count = queryset.exclude(state="sent").update(
            state="pending", next_attempt_at=timezone.now(), attempts=0
        )
        self.message_user(request, f"{count} email(s) will be sent within a minute.")


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "digest", "digest_hour", "time_zone", "next_digest_at")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "muted_communities", "muted_statuses")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "last_success_at")
    search_fields = ("user__username",)
    readonly_fields = ("user", "endpoint", "p256dh", "auth", "user_agent", "created_at")


@admin.register(PushRetry)
class PushRetryAdmin(admin.ModelAdmin):
    list_display = ("id", "subscription", "attempts", "next_attempt_at", "last_error")
