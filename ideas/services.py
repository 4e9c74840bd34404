"""The only code that writes ideas, their votes, decisions and edits.

An idea's discussion lives on its `card`, a company status written here: comments, reactions,
reports and moderation go through feeds.services unchanged.
"""

import re
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from activity.services import activity_record
from attachments import services as attachment_services
from core.tags import clean_tags
from core.text import Rendered, mention_candidates, render
from feeds import events as feed_events
from feeds.models import Status, Visibility
from feeds.services import hashtags_for, render_user_text, users_named
from notifications.models import Notification
from notifications.services import notifications_create_many
from profiles.models import Department, Profile, User

from . import events, hooks, selectors
from .models import (
    DESCRIPTION_MAX,
    EDITABLE_STATES,
    IDEA_MAX_ATTACHMENTS,
    REASON_MAX,
    TITLE_MAX,
    TITLE_MIN,
    TRANSITIONS,
    VOTING_STATES,
    Idea,
    IdeaDecision,
    IdeaRevision,
    IdeaState,
    IdeaVote,
)
from .permissions import can_decide, can_edit_idea, can_propose, can_vote


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


# --- Text ----------------------------------------------------------------------------------


def clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        raise ValidationError(
            {"title": f"Give the idea a title of at least {TITLE_MIN} characters."}
        )
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"At most {TITLE_MAX} characters ({len(title)} now)."})
    return title


def clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Describe the idea: what it is and why it helps."})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": f"At most {DESCRIPTION_MAX:,} characters ({len(description):,} now)."}
        )
    return description


def clean_decision_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason: everyone can read it with the decision."})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"At most {REASON_MAX:,} characters ({len(reason):,} now)."}
        )
    return reason


def render_description(source: str) -> Rendered:
    """Long-form Markdown (headings, lists, tables) with mentions and hashtags linked."""
    candidates = mention_candidates(source)
    known = {}
    if candidates:
        known = {
            name.lower(): name
            for name in User.objects.filter(username__in=candidates, is_active=True).values_list(
                "username", flat=True
            )
        }
    return render(source, long_form=True, known_usernames=known, link_hashtags=True)


# Markdown's escapable characters: a title is plain text, also on its card.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!>|])")


def _card_text(idea: Idea, tag_names: list[str]) -> str:
    title = _MARKDOWN_SPECIAL.sub(r"\\\1", idea.title)
    text = f"Proposed an idea: **{title}** · [Read, vote and discuss]({idea.get_absolute_url()})"
    if tag_names:
        text += " " + " ".join(f"#{name}" for name in tag_names)
    return text


def _render_card(idea: Idea, tag_names: list[str]) -> tuple[str, Rendered]:
    text = _card_text(idea, tag_names)
    # No mentions on the card: the title is plain text and nobody is notified from it.
    return text, render(text, known_usernames={}, link_hashtags=True)


# --- Notifications -------------------------------------------------------------------------


def _notify(
    *,
    recipients: Iterable[User],
    kind: str,
    actor: User,
    idea: Idea,
) -> list[Notification]:
    """One notification each about the idea (never the actor, never an inactive account), each
    sent live. How they render: ideas.notification_kinds."""
    return notifications_create_many(
        recipient_ids=[user.pk for user in recipients if user.pk != actor.pk and user.is_active],
        kind=kind,
        actor=actor,
        target=idea,
    )


# --- Ideas ---------------------------------------------------------------------------------


def idea_create(
    *,
    author: User,
    title: str,
    description: str,
    tags: list[str] | None = None,
    department: Department | None = None,
    attachments: list[str] | None = None,
) -> Idea:
    """Propose an idea; its card announces it to the author's followers, live."""
    if not can_propose(author):
        raise PermissionDenied("Log in with an active account.")
    # Every field's error at once, so a form shows them together.
    errors: dict[str, list[str]] = {}
    cleaned = []
    for clean, value in (
        (clean_title, title),
        (clean_description, description),
        (clean_tags, tags),
    ):
        try:
            cleaned.append(clean(value))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    title, description, tag_names = cleaned
    rendered = render_description(description)
    now = timezone.now()
    with transaction.atomic():
        idea = Idea.objects.create(
            author=author,
            title=title,
            description=description,
            description_html=rendered.html,
            department=department,
            created_at=now,
            state_changed_at=now,
            last_activity_at=now,
        )
        idea.tags.set(hashtags_for(tag_names))
        mentioned = users_named(rendered.mentions)
        idea.mentions.set(mentioned)
        attachment_services.attachments_attach(
            owner=idea, ids=attachments, user=author, limit=IDEA_MAX_ATTACHMENTS
        )
        _card_create(idea, tag_names)
        _notify(
            recipients=mentioned,
            kind="mention",
            actor=author,
            idea=idea,
        )
        activity_record(actor=author, kind="idea", object_id=idea.pk)
    return idea


def _card_create(idea: Idea, tag_names: list[str]) -> Status:
    text, rendered = _render_card(idea, tag_names)
    department_id = (
        Profile.objects.filter(user_id=idea.author_id)
        .values_list("department_id", flat=True)
        .first()
    )
    card = Status.objects.create(
        author=idea.author,
        body=text,
        body_html=rendered.html,
        visibility=Visibility.COMPANY,
        department_id=department_id,
        created_at=idea.created_at,
    )
    card.hashtags.set(hashtags_for(rendered.hashtags))
    idea.card = card
    idea.save(update_fields=["card"])
    feed_events.status_changed(card, created=True)
    return card


def _card_sync(idea: Idea, tag_names: list[str]) -> None:
    if idea.card_id is None:
        return
    text, rendered = _render_card(idea, tag_names)
    Status.objects.filter(pk=idea.card_id).update(body=text, body_html=rendered.html)
    card = Status.objects.get(pk=idea.card_id)
    card.hashtags.set(hashtags_for(rendered.hashtags))
    feed_events.status_changed(card)


def idea_update(
    *,
    actor: User,
    idea: Idea,
    title: str | None = None,
    description: str | None = None,
    tags: list[str] | None = None,
    department: "Department | None | _Unchanged" = UNCHANGED,
    attachments: list[str] | None = None,
) -> Idea:
    """The author edits an open idea (None, or UNCHANGED for `department`: leave as is).

    A changed title or description keeps the earlier version, readable on the idea's page:
    votes were cast on it."""
    if not can_edit_idea(actor, idea):
        raise PermissionDenied(edit_refusal(actor, idea))
    new_title = clean_title(title) if title is not None else idea.title
    new_description = clean_description(description) if description is not None else None
    tag_names = clean_tags(tags) if tags is not None else None
    now = timezone.now()
    with transaction.atomic():
        locked = Idea.objects.select_for_update().filter(pk=idea.pk).first()
        if locked is None or locked.state not in EDITABLE_STATES:
            # An executive acted on it since the author opened the form.
            raise PermissionDenied("This idea is no longer open, so it cannot be edited.")
        text_changed = new_title != idea.title or (
            new_description is not None and new_description != idea.description
        )
        changed_fields = []
        if text_changed:
            IdeaRevision.objects.create(
                idea=idea,
                title=idea.title,
                description=idea.description,
                description_html=idea.description_html,
                written_at=idea.edited_at or idea.created_at,
                replaced_at=now,
            )
            idea.edited_at = now
            changed_fields.append("edited_at")
        if new_title != idea.title:
            idea.title = new_title
            changed_fields.append("title")
        if new_description is not None and new_description != idea.description:
            rendered = render_description(new_description)
            before = set(idea.mentions.values_list("pk", flat=True))
            idea.description = new_description
            idea.description_html = rendered.html
            changed_fields += ["description", "description_html"]
            mentioned = users_named(rendered.mentions)
            idea.mentions.set(mentioned)
            _notify(
                recipients=[u for u in mentioned if u.pk not in before],
                kind="mention",
                actor=actor,
                idea=idea,
            )
        if department is not UNCHANGED and getattr(department, "pk", None) != idea.department_id:
            idea.department = department
            changed_fields.append("department")
        current_tags = [t.name for t in idea.tags.all()]
        tags_changed = tag_names is not None and set(tag_names) != set(current_tags)
        if tags_changed:
            idea.tags.set(hashtags_for(tag_names))
        attachments_changed = False
        if attachments is not None:
            before, now_attached = attachment_services.attachments_set(
                owner=idea, ids=attachments, user=actor, limit=IDEA_MAX_ATTACHMENTS, now=now
            )
            attachments_changed = before != [a.token for a in now_attached]
        if not changed_fields and not tags_changed and not attachments_changed:
            return idea
        idea.last_activity_at = now
        idea.save(update_fields=[*changed_fields, "last_activity_at"])
        if "title" in changed_fields or tags_changed:
            _card_sync(idea, tag_names if tag_names is not None else current_tags)
        events.idea_updated(idea)
    return idea


def edit_refusal(actor: User, idea: Idea) -> str:
    if idea.author_id != actor.pk:
        return "Only its author can edit an idea."
    if idea.is_removed:
        return "This idea was removed; it cannot be edited."
    return (
        f"An idea can be edited only while it is open; this one is "
        f"{idea.get_state_display().lower()}."
    )


def idea_touch(*, status_id: int, at: datetime) -> int:
    """Something happened in the discussion on a card (a comment): the idea's recent activity.
    One indexed UPDATE that matches nothing for an ordinary status."""
    return Idea.objects.filter(card_id=status_id).update(last_activity_at=at)


def idea_touch_on_comment(*, comment, status) -> int:
    """feeds' `comment_created` hook: a comment on an idea's card is activity on the idea."""
    return idea_touch(status_id=status.pk, at=comment.created_at)


# --- Votes ---------------------------------------------------------------------------------


def _check_open_for_votes(idea: Idea) -> None:
    if idea.is_removed:
        raise ValidationError("This idea was removed; it takes no votes.")
    if idea.state not in VOTING_STATES:
        raise ValidationError(
            f"Voting has closed: this idea is {idea.get_state_display().lower()}. "
            "Votes count while an idea is open or under review."
        )


def idea_vote(*, user: User, idea: Idea) -> bool:
    """Vote; voting again changes nothing. Returns True if a vote was added.

    Not for one's own idea (400). Votes are taken while the idea is open or under review."""
    if not can_vote(user, idea):
        if idea.author_id == user.pk:
            raise ValidationError("You proposed this idea: your vote is implied.")
        raise PermissionDenied("Log in with an active account.")
    if IdeaVote.objects.filter(idea=idea, user=user).exists():
        return False
    _check_open_for_votes(idea)
    now = timezone.now()
    try:
        with transaction.atomic():
            _, created = IdeaVote.objects.get_or_create(
                idea=idea, user=user, defaults={"created_at": now}
            )
            if created:
                Idea.objects.filter(pk=idea.pk).update(
                    votes_count=F("votes_count") + 1, last_activity_at=now
                )
                activity_record(actor=user, kind="idea_vote", object_id=idea.pk)
    except IntegrityError:
        created = False
    idea.refresh_from_db(fields=["votes_count", "last_activity_at"])
    return created


def idea_unvote(*, user: User, idea: Idea) -> bool:
    """Take a vote back; without a vote this changes nothing. Returns True if one was removed.

    Once a decision closed the voting, the count is part of the record and stays (400)."""
    if not IdeaVote.objects.filter(idea=idea, user=user).exists():
        return False
    _check_open_for_votes(idea)
    with transaction.atomic():
        deleted, _ = IdeaVote.objects.filter(idea=idea, user=user).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk).update(votes_count=F("votes_count") - 1)
    idea.refresh_from_db(fields=["votes_count"])
    return bool(deleted)


# --- Decisions -----------------------------------------------------------------------------


def check_transition(current: str, wanted: str) -> None:
    if wanted not in IdeaState.values:
        raise ValidationError({"state": f"One of: {', '.join(IdeaState.values)}."})
    allowed = TRANSITIONS[current]
    if wanted == current:
        raise ValidationError({"state": f"This idea is already {_label(current)}."})
    if wanted not in allowed:
        options = ", ".join(_label(s) for s in allowed) if allowed else "nothing: it is final"
        raise ValidationError(
            {
                "state": f"An idea that is {_label(current)} cannot become {_label(wanted)}. "
                f"From {_label(current)} it can become: {options}."
            }
        )


def _label(state: str) -> str:
    return IdeaState(state).label.lower()


def idea_decide(*, executive: User, idea: Idea, state: str, reason: str) -> IdeaDecision:
    """Change the state, with a public reason; the author, voters and commenters are notified
    and `idea.updated` goes out. Only executives, only along TRANSITIONS."""
    if not can_decide(executive):
        raise PermissionDenied("Only executives decide on ideas.")
    if state not in IdeaState.values:
        raise ValidationError({"state": f"One of: {', '.join(IdeaState.values)}."})
    reason = clean_decision_reason(reason)
    reason_html = render_user_text(reason).html
    with transaction.atomic():
        # Two executives deciding at once: the second sees the first one's state.
        locked = selectors.idea_base_qs().select_for_update(of=("self",)).get(pk=idea.pk)
        if locked.is_removed:
            raise ValidationError("This idea was removed; it cannot change state.")
        check_transition(locked.state, state)
        now = timezone.now()
        decision = IdeaDecision.objects.create(
            idea=locked,
            from_state=locked.state,
            to_state=state,
            decided_by=executive,
            reason=reason,
            reason_html=reason_html,
            created_at=now,
        )
        Idea.objects.filter(pk=idea.pk).update(
            state=state, state_changed_at=now, last_activity_at=now
        )
        idea.state, idea.state_changed_at, idea.last_activity_at = state, now, now
        # For the engagement report: accepted or declined from open or under review is a
        # decision, and it counts for the author's department (their idea waited).
        decided = state in (IdeaState.ACCEPTED, IdeaState.DECLINED) and locked.state in (
            IdeaState.OPEN,
            IdeaState.UNDER_REVIEW,
        )
        hours = int((now - locked.created_at).total_seconds() // 3600)
        activity_record(
            actor=executive,
            kind="idea_decision",
            object_id=idea.pk,
            value=hours if decided else None,
            about_id=locked.author_id,
            department_id=Profile.objects.filter(user_id=locked.author_id)
            .values_list("department_id", flat=True)
            .first()
            or 0,
        )
        _notify(
            recipients=selectors.idea_participants(idea=locked),
            kind="idea",
            actor=executive,
            idea=locked,
        )
        events.idea_updated(idea)
        hooks.idea_decided.send(idea=idea, decision=decision)
    return decision
