from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "People"

    def ready(self) -> None:
        from .services import profile_ensure_on_save

        # The one receiver in the project: it keeps the invariant "every account has a profile"
        # for accounts made outside our services (createsuperuser, third-party code).
        post_save.connect(
            profile_ensure_on_save, sender=get_user_model(), dispatch_uid="profiles.ensure_profile"
        )
