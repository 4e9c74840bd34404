from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from communities import hooks as community_hooks
        from exec_blog import hooks as blog_hooks
        from feeds import hooks as feed_hooks
        from ideas import hooks as idea_hooks

        from . import jobs, notification_kinds, receivers

        del jobs  # imported for its @periodic registration
        feed_hooks.status_created.connect(receivers.status_created)
        blog_hooks.blog_published.connect(receivers.blog_published)
        blog_hooks.question_answered.connect(receivers.question_answered)
        idea_hooks.idea_decided.connect(receivers.idea_decided)
        community_hooks.community_created.connect(receivers.community_created)
        notification_kinds.register_kinds()
