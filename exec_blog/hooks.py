"""What apps built on exec_blog can hear about, connected in their AppConfig.ready().

Called explicitly by exec_blog's services, inside their transaction (see core.hooks)."""

from core.hooks import Hook

# A post was announced (once per post, when its time came: posts_release_due).
# webhooks: `blog.published`.
blog_published = Hook("exec_blog.blog_published", "kwargs: post")

# A question got its first answer (editing the answer later sends nothing).
# webhooks: `question.answered`.
question_answered = Hook("exec_blog.question_answered", "kwargs: question")
