from django.apps import AppConfig


class AppAccountsConfig(AppConfig):
    name = "app_accounts"
    verbose_name = "App accounts"

    def ready(self) -> None:
        from feeds import hooks as feed_hooks

        from . import schema, services

        del schema  # imported for its OpenAPI extension

        feed_hooks.status_by_app.connect(services.app_may_post)
