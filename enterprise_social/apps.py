from django.apps import AppConfig


class EnterpriseSocialConfig(AppConfig):
    name = "enterprise_social"
    verbose_name = "Enterprise Social"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI extensions)
