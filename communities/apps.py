from importlib import import_module

from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self) -> None:
        from profiles import export
        from profiles import hooks as profile_hooks

        from . import export as community_export
        from .hooks import profile_communities_context

        export.register_section("communities", community_export.memberships_of)
        profile_hooks.profile_page_context.connect(profile_communities_context)
        import_module("communities.notification_kinds").register_kinds()
        import_module("communities.jobs")
