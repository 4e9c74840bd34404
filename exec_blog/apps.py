from importlib import import_module

from django.apps import AppConfig


class ExecBlogConfig(AppConfig):
    name = "exec_blog"

    def ready(self) -> None:
        import_module("exec_blog.notification_kinds").register_kinds()
