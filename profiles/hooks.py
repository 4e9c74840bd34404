"""What apps built on profiles can add or hear about, connected in their AppConfig.ready()
(see core.hooks). Called explicitly by profiles' views and services."""

from core.hooks import Hook

# The profile page asks each receiver for more context: receivers take `viewer` and `profile`
# and return a dict merged into the page's context. feeds: the person's recent posts;
# communities: a card in the side column (`side_cards`, collected from every receiver).
profile_page_context = Hook("profiles.profile_page_context", "kwargs: viewer, profile -> dict")

# A follow was made (inside its transaction): notifications tells the person followed, feeds
# updates the follower's open sockets, the activity record counts it.
follow_created = Hook("profiles.follow_created", "kwargs: follower, followee")

# A follow was undone (inside its transaction): feeds updates the follower's open sockets.
follow_deleted = Hook("profiles.follow_deleted", "kwargs: follower, followee")
