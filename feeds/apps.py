from importlib import import_module

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"

    def ready(self) -> None:
        from attachments import registry as attachments
        from attachments.models import Attachment
        from profiles import hooks as profile_hooks

        from . import export, moderation
        from .models import Comment, Status
        from .selectors import comment_readable, profile_posts_context, status_readable
        from .versions import statuses_changed

        profile_hooks.profile_page_context.connect(profile_posts_context)
        attachments.register_owner(
            Status, can_read=status_readable, changed=lambda pk: statuses_changed([pk])
        )
        attachments.register_owner(Comment, can_read=comment_readable)
        moderation.register_target(
            Attachment, template="feeds/_moderation_attachment.html", ref="attachment_id"
        )
        export.register()
        import_module("feeds.notification_kinds").register_kinds()
