"""Who may download the attachments of each kind of owner: registered by the apps above.

attachments knows nothing of statuses, comments, blog posts or ideas. Each app that lets its
content carry attachments registers, in its AppConfig.ready(), `can_read(user, owner) -> bool`:
the owner's visibility *as it is now* (author, company, department, community, hidden or
removed, draft). The download view asks it on every request and answers the same 404 as for a
missing file when the answer is no, or when nobody registered the owner's model.

It may also register `changed(owner_id)`: told when one of the owner's attachments changes in a
way its readers see (its description, a moderator's removal), for the owner's cached rendering.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Owner:
    can_read: Callable[[object, models.Model], bool]
    changed: Callable[[int], None] | None = None


_owners: dict[str, Owner] = {}


def register_owner(
    model: type[models.Model], *, can_read: Callable, changed: Callable | None = None
) -> None:
    _owners[model._meta.label_lower] = Owner(can_read=can_read, changed=changed)


def owner_changed(*, label: str, owner_id: int) -> None:
    """An attachment of the owner (`label`: app_label.model) changed what its readers see."""
    entry = _owners.get(label)
    if entry is not None and entry.changed is not None:
        entry.changed(owner_id)


def is_registered(model: type[models.Model]) -> bool:
    return model._meta.label_lower in _owners


def can_read(user, owner: models.Model | None) -> bool:
    if owner is None:
        return False
    entry = _owners.get(owner._meta.label_lower)
    return entry is not None and bool(entry.can_read(user, owner))


def registered_labels() -> tuple[str, ...]:
    return tuple(_owners)
