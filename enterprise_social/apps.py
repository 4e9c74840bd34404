from django.apps import AppConfig


class EnterpriseSocialConfig(AppConfig):
    name = "enterprise_social"
    verbose_name = "Enterprise Social"
