"""A comparison row of the feed benchmark (issue 21, part 7): the same feed written the obvious
way with Django's ORM and DRF, routed only with `DJANGO_BENCH_ENDPOINTS` (like the floor,
feeds.api.BenchFloorView) at `/api/v1/bench/plain-feed/`; a deployment never has it.

What a developer who knows about N+1 queries writes first: the feed's queryset (one OR of its
sources, `feeds.selectors.feed`), `select_related` for the author's profile and department, the
community and the poll, `prefetch_related` for mentions, hashtags, reactions and poll options,
nested `ModelSerializer`s, DRF's `CursorPagination`. The page's attachments are read in one query
too. No written-out serialiser, no union of index scans, no compiled branches: the product's feed
(`/api/v1/feed/`) is measured beside it on the same server, so a reader sees what those buy.
"""

from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework import generics, pagination, serializers

from attachments.models import Attachment
from profiles.models import Department, User

from . import selectors
from .models import Poll, PollOption, Status


class PlainDepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "slug"]


class PlainAuthorSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="profile.display_name")
    title = serializers.CharField(source="profile.title")
    department = PlainDepartmentSerializer(source="profile.department", allow_null=True)
    avatar_url = serializers.CharField(source="profile.avatar_url")
    is_app = serializers.BooleanField(source="profile.is_app")

    class Meta:
        model = User
        fields = ["username", "display_name", "title", "department", "avatar_url", "is_app"]


class PlainPollOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PollOption
        fields = ["id", "position", "label", "votes_count"]


class PlainPollSerializer(serializers.ModelSerializer):
    options = PlainPollOptionSerializer(many=True)

    class Meta:
        model = Poll
        fields = ["multiple", "anonymous", "ends_at", "voters_count", "options"]


class PlainAttachmentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="token")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "size", "content_type", "url", "alt"]

    def get_url(self, obj: Attachment) -> str:
        return reverse("attachments:file", kwargs={"token": obj.token})


class PlainStatusSerializer(serializers.ModelSerializer):
    author = PlainAuthorSerializer()
    mentions = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    hashtags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    reaction_counts = serializers.SerializerMethodField()
    my_reactions = serializers.SerializerMethodField()
    community = serializers.SerializerMethodField()
    poll = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Status
        fields = [
            "id",
            "author",
            "body",
            "body_html",
            "visibility",
            "created_at",
            "edited_at",
            "comment_count",
            "comments_locked",
            "reaction_counts",
            "my_reactions",
            "mentions",
            "hashtags",
            "is_announcement",
            "announcement_until",
            "pinned_in_community",
            "community",
            "url",
            "poll",
            "attachments",
        ]

    def get_reaction_counts(self, obj: Status) -> dict:
        return dict(Counter(r.kind for r in obj.reactions.all()))

    def get_my_reactions(self, obj: Status) -> list[str]:
        me = self.context["request"].user.pk
        return sorted(r.kind for r in obj.reactions.all() if r.user_id == me)

    def get_community(self, obj: Status) -> dict | None:
        if obj.community is None:
            return None
        return {"slug": obj.community.slug, "name": obj.community.name}

    def get_poll(self, obj: Status) -> dict | None:
        poll = getattr(obj, "poll", None)
        return None if poll is None else PlainPollSerializer(poll).data

    def get_attachments(self, obj: Status) -> list:
        return self.context["attachments"].get(obj.pk, [])


class PlainCursor(pagination.CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20


class BenchPlainFeedView(generics.ListAPIView):
    """`GET /api/v1/bench/plain-feed/` (bench only): the feed, the obvious way."""

    schema = None
    serializer_class = PlainStatusSerializer
    pagination_class = PlainCursor

    def get_queryset(self):
        return (
            selectors.feed(user=self.request.user)
            .select_related("author__profile__department", "community", "poll")
            .prefetch_related("mentions", "hashtags", "reactions", "poll__options")
        )

    def get_serializer(self, *args, **kwargs):
        page = args[0] if args else []
        attachments: dict[int, list] = {}
        if page:
            rows = Attachment.objects.filter(
                owner_type=ContentType.objects.get_for_model(Status),
                owner_id__in=[s.pk for s in page],
                detached_at__isnull=True,
            ).order_by("position")
            for attachment in rows:
                attachments.setdefault(attachment.owner_id, []).append(
                    PlainAttachmentSerializer(attachment).data
                )
        kwargs.setdefault("context", {**self.get_serializer_context(), "attachments": attachments})
        return self.serializer_class(*args, **kwargs)
