"""What apps built on ideas can hear about, connected in their AppConfig.ready().

Called explicitly by ideas' services, inside their transaction (see core.hooks)."""

from core.hooks import Hook

# An executive changed an idea's state, with a public reason. webhooks: `idea.decided`.
idea_decided = Hook("ideas.idea_decided", "kwargs: idea, decision")
