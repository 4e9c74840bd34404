"""What apps above notifications can hear about, connected in their AppConfig.ready().

Called explicitly by notifications' services, inside their transaction (see core.hooks)."""

from core.hooks import Hook

# Notifications were created (or a grouped one collected a new actor): `notification_ids`.
# reach: email and push, scheduled once the transaction commits.
notifications_created = Hook("notifications.created", "kwargs: notification_ids")
