"""What apps built on feeds can hear about, connected in their AppConfig.ready().

Called explicitly by feeds' services, inside their transaction (see core.hooks)."""

from core.hooks import Hook

# A comment was written on a status (after its mentions and activity, before its live event).
# ideas: a comment on an idea's card is activity on the idea.
comment_created = Hook("feeds.comment_created", "kwargs: comment, status")

# A company status became an announcement (it was not one before). reach: every employee is
# told, by email and push as each chose (in the job runner, in batches).
status_announced = Hook("feeds.status_announced", "kwargs: status, actor")

# A status was written by a person through `status_create` (after its live event; not the cards
# that blog posts and ideas make for themselves). webhooks: `status.created` for subscribers,
# checked again for visibility when it is sent.
status_created = Hook("feeds.status_created", "kwargs: status")

# Before an app account's status is written (Profile.is_app): a receiver returns True to let it
# post in `community` (None: company-wide) without being a member, or raises PermissionDenied.
# Nobody answering True refuses. app_accounts: where the app's admin allowed it to post.
status_by_app = Hook("feeds.status_by_app", "kwargs: author, community, visibility -> bool")

# Asked by `status_delete` before the author's delete lets go of a status's files: a receiver
# returning True keeps them (the tombstone is shown as usual). governance: a legal hold on the
# author (custodian) or on the status's community.
status_held = Hook("feeds.status_held", "kwargs: status -> bool")
