from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company (`seed_demo`): on top of every app, imported by none."""

    name = "demo"
    verbose_name = "Demo data"
