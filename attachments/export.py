"""attachments' section of a person's data export: what they uploaded (metadata; the files
themselves are downloaded from their posts)."""

from django.urls import reverse

from profiles.export import register_section
from profiles.models import User

from .selectors import uploads_by


def uploads(user: User) -> list[dict]:
    return [
        {
            "id": a.token,
            "kind": a.kind,
            "name": a.name,
            "size": a.size,
            "content_type": a.content_type,
            "alt": a.alt,
            "sha256": a.sha256,
            "created_at": a.created_at,
            "attached_to": f"{a.owner_type.app_label}.{a.owner_type.model}:{a.owner_id}"
            if a.owner_type_id
            else None,
            "url": reverse("attachments:file", kwargs={"token": a.token}),
            "removal_reason": a.removal_reason,
        }
        for a in uploads_by(user=user).select_related("owner_type")
    ]


def register() -> None:
    register_section("uploads", uploads)
