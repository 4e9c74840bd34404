from importlib import import_module

from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self) -> None:
        from profiles import export

        from . import export as community_export

        export.register_section("communities", community_export.memberships_of)
        import_module("communities.notification_kinds").register_kinds()
        import_module("communities.jobs")
