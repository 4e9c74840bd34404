from rest_framework import serializers

from core.ids import MAX_ID
from profiles.serializers import AuthorSerializer

from . import registry, selectors
from .models import Notification


class NotificationListSerializer(serializers.ListSerializer):
    """A page of notifications: their targets are fetched once per model, not once each."""

    def to_representation(self, data):
        items = selectors.targets_attach(data.all() if hasattr(data, "all") else data)
        return super().to_representation(items)


class NotificationSerializer(serializers.ModelSerializer):
    """The payload of the API and of `notification.created`; `text`, `url` and the ids of what
    it is about come from what the target's app registered (`notifications.registry`)."""

    actor = AuthorSerializer()
    others_count = serializers.IntegerField()
    status_id = serializers.SerializerMethodField()
    comment_id = serializers.SerializerMethodField()
    question_id = serializers.SerializerMethodField()
    idea_id = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        list_serializer_class = NotificationListSerializer
        fields = [
            "id",
            "kind",
            "actor",
            "others_count",
            "status_id",
            "comment_id",
            "question_id",
            "idea_id",
            "text",
            "url",
            "is_read",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        self._refs = registry.refs(instance)
        return super().to_representation(instance)

    def get_status_id(self, obj: Notification) -> int | None:
        return self._refs["status_id"]

    def get_comment_id(self, obj: Notification) -> int | None:
        return self._refs["comment_id"]

    def get_question_id(self, obj: Notification) -> int | None:
        return self._refs["question_id"]

    def get_idea_id(self, obj: Notification) -> int | None:
        return self._refs["idea_id"]

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    def get_text(self, obj: Notification) -> str:
        return registry.text(obj)

    def get_url(self, obj: Notification) -> str:
        return registry.url(obj)


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=500,
    )

    def validate(self, attrs):
        # Refuses fields it does not know, like every write body of the API.
        unknown = set(getattr(self, "initial_data", None) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: "This field cannot be set." for name in sorted(unknown)}
            )
        return attrs
