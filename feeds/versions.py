"""The cache version of each status (core.versions): bumped by whatever changes a part of its
public card (feeds.status_cache) that its row does not show: reactions, the poll, attachments,
mentions and hashtags, the text of a card written by another app."""

from collections.abc import Iterable

from core.versions import versions_bump


def status_version(status_id: int) -> str:
    return f"status:{status_id}"


def statuses_changed(status_ids: Iterable[int]) -> None:
    versions_bump(status_version(pk) for pk in status_ids)
