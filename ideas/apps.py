from importlib import import_module

from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"

    def ready(self) -> None:
        from attachments import registry as attachments
        from feeds import hooks as feed_hooks

        from . import export
        from .models import Idea
        from .selectors import idea_readable
        from .services import idea_touch_on_comment

        feed_hooks.comment_created.connect(idea_touch_on_comment)
        attachments.register_owner(Idea, can_read=idea_readable)
        export.register()
        import_module("ideas.notification_kinds").register_kinds()
