from django.apps import AppConfig


class ExecBlogConfig(AppConfig):
    name = "exec_blog"

    def ready(self) -> None:
        from . import export

        export.register()
