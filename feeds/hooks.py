"""What apps built on feeds can hear about, connected in their AppConfig.ready().

Called explicitly by feeds' services, inside their transaction (see core.hooks)."""

from core.hooks import Hook

# A comment was written on a status (after its mentions and activity, before its live event).
# ideas: a comment on an idea's card is activity on the idea.
comment_created = Hook("feeds.comment_created", "kwargs: comment, status")
