from importlib import import_module

from django.apps import AppConfig


class ExecBlogConfig(AppConfig):
    name = "exec_blog"

    def ready(self) -> None:
        from attachments import registry as attachments
        from feeds import moderation
        from profiles import hooks as profile_hooks

        from . import export
        from .models import BlogPost, Question
        from .profile_cards import profile_delegates_context
        from .selectors import post_readable

        export.register()
        profile_hooks.profile_page_context.connect(profile_delegates_context)
        attachments.register_owner(BlogPost, can_read=post_readable)
        moderation.register_target(
            Question, template="exec_blog/_moderation_target.html", ref="question_id"
        )
        import_module("exec_blog.jobs")  # registers the periodic jobs
        import_module("exec_blog.notification_kinds").register_kinds()
