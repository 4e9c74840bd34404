"""The API shape of an attachment (PRODUCT.md, "Attachments"), and the `attachments` field
that statuses, comments, blog posts and ideas accept on POST and PATCH."""

from django.urls import reverse
from rest_framework import serializers

from core.api import StrictSerializer

from .models import MAX_ALT, Attachment, Kind


def attachment_payload(attachment: Attachment) -> dict:
    """Written out: a feed page of pictures serialises up to 200 of them."""
    token = attachment.token
    return {
        "id": token,
        "kind": attachment.kind,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": reverse("attachments:file", kwargs={"token": token}),
        "thumbnail_url": reverse("attachments:thumbnail", kwargs={"token": token})
        if attachment.thumbnail
        else None,
        "alt": attachment.alt,
    }


def attachments_payload(attachments) -> list[dict]:
    return [attachment_payload(a) for a in attachments]


class AttachmentSerializer(serializers.Serializer):
    """A picture, file or video. `url` serves it only to people who may read its post (404
    otherwise); pictures inline, everything else as a download; range requests answer 206."""

    id = serializers.CharField(help_text="Unguessable; use it in `attachments` to attach.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes, as stored (pictures are re-encoded).")
    content_type = serializers.CharField()
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(
        allow_null=True, help_text="A small WebP: the picture, or the video's poster frame."
    )
    alt = serializers.CharField(allow_blank=True)

    def to_representation(self, instance: Attachment) -> dict:
        return attachment_payload(instance)


class UploadCreateSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="Pictures (JPEG, PNG, GIF, WebP, HEIC) up to 20 MB, files (PDF, Office, "
        "OpenDocument, text, CSV, ZIP) up to 100 MB, video (MP4, WebM, MOV) up to 200 MB: "
        "judged by their content."
    )
    alt = serializers.CharField(
        max_length=MAX_ALT,
        required=False,
        allow_blank=True,
        help_text="What the picture shows, for people who cannot see it; required to attach "
        "a picture.",
    )


class UploadUpdateSerializer(StrictSerializer):
    alt = serializers.CharField(max_length=MAX_ALT, allow_blank=True)


def attachment_ids_field(limit: int) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z0-9_-]{1,32}$", max_length=32),
        max_length=limit,
        required=False,
        help_text=f"Ids of your uploads (POST /api/v1/uploads/), in order, at most {limit}. "
        "On PATCH: the whole new list (left out: removed).",
    )
