"""What apps built on feeds can hear about, connected in their AppConfig.ready().

Called explicitly by feeds' services, inside their transaction (see core.hooks)."""

from core.hooks import Hook

# A comment was written on a status (after its mentions and activity, before its live event).
# ideas: a comment on an idea's card is activity on the idea.
comment_created = Hook("feeds.comment_created", "kwargs: comment, status")

# A company status became an announcement (it was not one before). reach: every employee is
# told, by email and push as each chose (in the job runner, in batches).
status_announced = Hook("feeds.status_announced", "kwargs: status, actor")
