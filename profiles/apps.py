from django.apps import AppConfig
from django.db.models.signals import post_save


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "People"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        # The one receiver in the project: it keeps the invariant "every account has a profile"
        # for accounts made outside our services (createsuperuser, third-party code).
        post_save.connect(
            _ensure_profile, sender=get_user_model(), dispatch_uid="profiles.ensure_profile"
        )


def _ensure_profile(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        from .services import profile_ensure

        profile_ensure(user=instance)
