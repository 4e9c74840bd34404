from importlib import import_module

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"

    def ready(self) -> None:
        from profiles import hooks as profile_hooks

        from . import export
        from .selectors import profile_posts_context

        profile_hooks.profile_page_context.connect(profile_posts_context)
        export.register()
        import_module("feeds.notification_kinds").register_kinds()
