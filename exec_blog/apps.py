from importlib import import_module

from django.apps import AppConfig


class ExecBlogConfig(AppConfig):
    name = "exec_blog"

    def ready(self) -> None:
        from feeds import moderation

        from . import export
        from .models import Question

        export.register()
        moderation.register_target(
            Question, template="exec_blog/_moderation_target.html", ref="question_id"
        )
        import_module("exec_blog.jobs")  # registers the periodic jobs
        import_module("exec_blog.notification_kinds").register_kinds()
