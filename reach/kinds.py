"""The kinds a person chooses for, and which notification kinds each one covers.

The notification kinds are registered by the apps that send them (notifications.registry);
a person does not choose for each of those but for what they mean to them. A notification
kind not listed here stays in the app only (no email, no push) until it is mapped."""

KINDS = (
    "mention",
    "comment",
    "reaction",
    "follow",
    "answer",
    "announcement",
    "blog",
    "idea",
    "community",
    "delegate",
)
LABELS = {
    "mention": "Mentions of you",
    "comment": "Comments on your posts",
    "reaction": "Reactions to your posts",
    "follow": "New followers",
    "answer": "Answers to questions you asked or voted for",
    "announcement": "Company announcements",
    "blog": "Executive blog posts",
    "idea": "Decisions on ideas",
    "community": "Community invitations, requests and roles",
    "delegate": "What your delegates publish on your behalf (executives)",
}
EMAIL_MODES = ("immediate", "digest", "off")
DIGEST_CHOICES = ("daily", "weekly", "off")

# What a new employee gets: the things addressed to them now, the rest in the digest,
# reactions in the app only.
DEFAULT_EMAIL = {
    "mention": "immediate",
    "comment": "digest",
    "reaction": "off",
    "follow": "digest",
    "answer": "immediate",
    "announcement": "digest",
    "blog": "digest",
    "idea": "digest",
    "community": "digest",
    "delegate": "immediate",
}
DEFAULT_PUSH = {
    "mention": True,
    "comment": True,
    "reaction": False,
    "follow": False,
    "answer": True,
    "announcement": True,
    "blog": True,
    "idea": False,
    "community": False,
    "delegate": True,
}
DEFAULT_DIGEST = "daily"
DEFAULT_DIGEST_HOUR = 8

# Notification kind (as registered) -> the kind a person chooses for.
_DIRECT = {kind: kind for kind in KINDS if kind not in ("community", "delegate")}
# Each prefix groups the kinds one app sends about one thing (exec_blog: `delegate_publish`…).
_PREFIXES = {"community_": "community", "delegate_": "delegate"}


def setting_kind(notification_kind: str) -> str | None:
    if notification_kind in _DIRECT:
        return _DIRECT[notification_kind]
    for prefix, kind in _PREFIXES.items():
        if notification_kind.startswith(prefix):
            return kind
    return None
