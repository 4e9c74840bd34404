"""attachments' jobs: the purge of uploads never attached, and the files of deleted posts."""

from core.jobs import periodic

from . import services


@periodic(every_minutes=60)
def uploads_purge() -> int:
    return services.uploads_purge()


def owner_files_delete(owner_type_id: int, owner_id: int) -> int:
    return services.owner_files_delete(owner_type_id=owner_type_id, owner_id=owner_id)
