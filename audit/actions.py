"""Every action the audit log records: a stable dotted name and a label for people.

The names are stored in each entry and filtered on (`?action=`), so a name never changes once
released; a new kind of action is a new constant here, with its label, in `ACTIONS`. The part
before the dot is the action's family: `?action=moderation` finds every moderation entry.
"""

# --- Roles and the admin -----------------------------------------------------------------------
ROLE_GRANTED = "role.granted"
ROLE_REVOKED = "role.revoked"
ADMIN_ADDITION = "admin.add"
ADMIN_CHANGE = "admin.change"
ADMIN_DELETION = "admin.delete"

# --- Moderation (the public moderation log has the reasons) ------------------------------------
MODERATION_HIDE = "moderation.hide"
MODERATION_RESTORE = "moderation.restore"
MODERATION_LOCK = "moderation.lock"
MODERATION_UNLOCK = "moderation.unlock"
MODERATION_MERGE = "moderation.merge"
MODERATION_ATTACHMENT_REMOVED = "moderation.attachment_removed"
MODERATION_REPORT_DISMISSED = "moderation.report_dismissed"

# --- Community admins --------------------------------------------------------------------------
COMMUNITY_MEMBER_INVITED = "community.member_invited"
COMMUNITY_REQUEST_APPROVED = "community.request_approved"
COMMUNITY_REQUEST_DECLINED = "community.request_declined"
COMMUNITY_INVITATION_WITHDRAWN = "community.invitation_withdrawn"
COMMUNITY_MEMBER_REMOVED = "community.member_removed"
COMMUNITY_MEMBER_PROMOTED = "community.member_promoted"
COMMUNITY_MEMBER_DEMOTED = "community.member_demoted"
COMMUNITY_SETTINGS_UPDATED = "community.settings_updated"
COMMUNITY_DEPARTMENT_ADDED = "community.department_added"
COMMUNITY_PICTURE_CHANGED = "community.picture_changed"

# --- Provisioning (SCIM; the actor is the token, named "scim:<token name>") --------------------
SCIM_USER_CREATED = "scim.user_created"
SCIM_USER_REPLACED = "scim.user_replaced"
SCIM_USER_PATCHED = "scim.user_patched"
SCIM_USER_DEACTIVATED = "scim.user_deactivated"
SCIM_USER_DELETED = "scim.user_deleted"
SCIM_GROUP_CREATED = "scim.group_created"
SCIM_GROUP_REPLACED = "scim.group_replaced"
SCIM_GROUP_PATCHED = "scim.group_patched"
SCIM_GROUP_DELETED = "scim.group_deleted"

# --- App accounts ------------------------------------------------------------------------------
APP_TOKEN_CREATED = "app_token.created"  # noqa: S105 - an action name, not a secret
APP_TOKEN_REVOKED = "app_token.revoked"  # noqa: S105 - an action name, not a secret
APP_TOKEN_STATUS_POSTED = "app_token.status_posted"  # noqa: S105 - an action name, not a secret

# --- Exports -----------------------------------------------------------------------------------
EXPORT_PERSONAL = "export.personal"
EXPORT_AUDIT_LOG = "export.audit_log"
EXPORT_EDISCOVERY_REQUESTED = "export.ediscovery_requested"
EXPORT_EDISCOVERY_DOWNLOADED = "export.ediscovery_downloaded"

# --- Logins ------------------------------------------------------------------------------------
LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"

# --- Retention, holds, delegates ---------------------------------------------------------------
AUDIT_PURGED = "audit.purged"
RETENTION_RUN = "retention.run"
RETENTION_POLICY_CHANGED = "retention.policy_changed"
HOLD_PLACED = "hold.placed"
HOLD_RELEASED = "hold.released"
DELEGATE_ADDED = "delegate.added"
DELEGATE_REMOVED = "delegate.removed"
DELEGATE_ACTED = "delegate.acted"

ACTIONS: dict[str, str] = {
    ROLE_GRANTED: "Role granted",
    ROLE_REVOKED: "Role revoked",
    ADMIN_ADDITION: "Added in the admin",
    ADMIN_CHANGE: "Changed in the admin",
    ADMIN_DELETION: "Deleted in the admin",
    MODERATION_HIDE: "Hidden by a moderator",
    MODERATION_RESTORE: "Restored by a moderator",
    MODERATION_LOCK: "Comments locked",
    MODERATION_UNLOCK: "Comments unlocked",
    MODERATION_MERGE: "Question merged",
    MODERATION_ATTACHMENT_REMOVED: "Attachment removed by a moderator",
    MODERATION_REPORT_DISMISSED: "Report dismissed",
    COMMUNITY_MEMBER_INVITED: "Invited to a community",
    COMMUNITY_REQUEST_APPROVED: "Request to join approved",
    COMMUNITY_REQUEST_DECLINED: "Request to join declined",
    COMMUNITY_INVITATION_WITHDRAWN: "Invitation withdrawn",
    COMMUNITY_MEMBER_REMOVED: "Removed from a community",
    COMMUNITY_MEMBER_PROMOTED: "Community role raised",
    COMMUNITY_MEMBER_DEMOTED: "Community role lowered",
    COMMUNITY_SETTINGS_UPDATED: "Community settings changed",
    COMMUNITY_DEPARTMENT_ADDED: "Department added to a community",
    COMMUNITY_PICTURE_CHANGED: "Community picture changed",
    SCIM_USER_CREATED: "Directory created a user",
    SCIM_USER_REPLACED: "Directory replaced a user",
    SCIM_USER_PATCHED: "Directory changed a user",
    SCIM_USER_DEACTIVATED: "Directory deactivated a user",
    SCIM_USER_DELETED: "Directory deleted a user",
    SCIM_GROUP_CREATED: "Directory created a group",
    SCIM_GROUP_REPLACED: "Directory replaced a group",
    SCIM_GROUP_PATCHED: "Directory changed a group",
    SCIM_GROUP_DELETED: "Directory deleted a group",
    APP_TOKEN_CREATED: "App token created",
    APP_TOKEN_REVOKED: "App token revoked",
    APP_TOKEN_STATUS_POSTED: "App posted a status",
    EXPORT_PERSONAL: "Personal data exported",
    EXPORT_AUDIT_LOG: "Audit log exported",
    EXPORT_EDISCOVERY_REQUESTED: "eDiscovery export requested",
    EXPORT_EDISCOVERY_DOWNLOADED: "eDiscovery export downloaded",
    LOGIN_SUCCEEDED: "Logged in",
    LOGIN_FAILED: "Failed login",
    AUDIT_PURGED: "Old audit entries purged",
    RETENTION_RUN: "Retention applied",
    RETENTION_POLICY_CHANGED: "Retention policy changed",
    HOLD_PLACED: "Legal hold placed",
    HOLD_RELEASED: "Legal hold released",
    DELEGATE_ADDED: "Delegate added",
    DELEGATE_REMOVED: "Delegate removed",
    DELEGATE_ACTED: "Delegate acted for an executive",
}

FAMILIES: frozenset[str] = frozenset(name.split(".", 1)[0] for name in ACTIONS)


def label_of(action: str) -> str:
    return ACTIONS.get(action, action)


def is_known(action: str) -> bool:
    """A full action name, or a family (`moderation`)."""
    return action in ACTIONS or action in FAMILIES
