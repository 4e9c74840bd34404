"""The API's shapes for reach (documentation for the schema; validation is in preferences and
services, which name every unknown kind and value)."""

from rest_framework import serializers

from . import kinds


class NotificationSettingsSerializer(serializers.Serializer):
    email = serializers.DictField(
        child=serializers.ChoiceField(choices=kinds.EMAIL_MODES),
        help_text=f"kind → immediate|digest|off; kinds: {', '.join(kinds.KINDS)}",
    )
    push = serializers.DictField(child=serializers.BooleanField(), help_text="kind → bool")
    digest = serializers.ChoiceField(choices=kinds.DIGEST_CHOICES)
    digest_hour = serializers.IntegerField(min_value=0, max_value=23)
    time_zone = serializers.CharField(help_text="An IANA time zone, e.g. Europe/Paris")
    muted_communities = serializers.ListField(child=serializers.SlugField())
    muted_statuses = serializers.ListField(child=serializers.IntegerField())
    push_available = serializers.BooleanField(read_only=True)


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField()
    auth = serializers.CharField()


class PushSubscriptionSerializer(serializers.Serializer):
    endpoint = serializers.URLField()
    keys = PushKeysSerializer()


class PushUnsubscribeSerializer(serializers.Serializer):
    endpoint = serializers.URLField()


class VapidKeySerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    public_key = serializers.CharField(allow_null=True)
