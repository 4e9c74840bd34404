"""Polls on statuses: creating, voting, and the `poll` object of a status payload.

The secrecy of an anonymous poll is a property of the data, not of the views: a vote writes a
`PollBallot` (who has voted, against double votes) and increments per-option counters, and
nothing else. No row links the voter to an option, so no page, API, admin, export or database
query can tell who chose what; the voter's own choices are not shown to them either, only that
they voted. A named poll also keeps a `PollVote` per chosen option, shown as voters.

Votes are final. The poll row is locked while a vote is written, so concurrent votes are
counted one after the other and each `poll.changed` event carries counts at least as new as the
one before it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import Http404
from django.utils import timezone
from rest_framework.fields import DateTimeField

from activity.services import activity_record
from core.realtime import broadcast_on_commit
from profiles.models import User

from .audiences import counts_audience
from .models import Poll, PollBallot, PollOption, PollVote, Status
from .permissions import visible_q
from .versions import statuses_changed

MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_LABEL = 100
DEFAULT_DURATION = timedelta(days=1)
MAX_DURATION = timedelta(days=30)
MAX_DURATION_HOURS = int(MAX_DURATION.total_seconds() // 3600)
# Named polls show at most this many voters per option; `votes_count` says how many there are.
VOTERS_SHOWN = 10


@dataclass(frozen=True)
class PollSpec:
    """A validated poll, ready to be attached to a status."""

    labels: tuple[str, ...]
    multiple: bool
    anonymous: bool
    ends_at: datetime


# --- Creating ------------------------------------------------------------------------------


def _clean_label(label: object) -> str:
    if not isinstance(label, str):
        raise ValidationError({"poll": "Each option is a piece of text."})
    # One line of plain text: control characters and runs of whitespace become one space.
    text = "".join(ch if ch.isprintable() else " " for ch in label)
    return " ".join(text.split())


def poll_spec(
    *,
    options: Sequence[str],
    multiple: bool = False,
    anonymous: bool = False,
    ends_at: datetime | None = None,
    duration_hours: int | None = None,
    now: datetime | None = None,
) -> PollSpec:
    """Validate a poll before anything is written; errors are keyed `poll`."""
    now = now or timezone.now()
    if isinstance(options, str) or not isinstance(options, Sequence):
        raise ValidationError({"poll": "Options are a list of labels."})
    labels = [_clean_label(label) for label in options]
    if any(not label for label in labels):
        raise ValidationError({"poll": "An option cannot be empty."})
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise ValidationError(
            {"poll": f"A poll has {MIN_OPTIONS} to {MAX_OPTIONS} options ({len(labels)} given)."}
        )
    too_long = [label for label in labels if len(label) > MAX_LABEL]
    if too_long:
        raise ValidationError({"poll": f"An option has at most {MAX_LABEL} characters."})
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError({"poll": "Two options are the same."})
    if ends_at is not None and duration_hours is not None:
        raise ValidationError({"poll": "Give either an end time or a duration, not both."})
    if duration_hours is not None:
        if isinstance(duration_hours, bool) or not isinstance(duration_hours, int):
            raise ValidationError({"poll": "The duration is a whole number of hours."})
        if not 1 <= duration_hours <= MAX_DURATION_HOURS:
            raise ValidationError({"poll": f"A poll runs for 1 to {MAX_DURATION_HOURS} hours."})
        ends_at = now + timedelta(hours=duration_hours)
    elif ends_at is None:
        ends_at = now + DEFAULT_DURATION
    elif timezone.is_naive(ends_at):
        raise ValidationError({"poll": "The end time needs a time zone."})
    if ends_at <= now:
        raise ValidationError({"poll": "The end time must be in the future."})
    if ends_at > now + MAX_DURATION:
        raise ValidationError({"poll": f"A poll runs for at most {MAX_DURATION.days} days."})
    return PollSpec(
        labels=tuple(labels), multiple=bool(multiple), anonymous=bool(anonymous), ends_at=ends_at
    )


POLL_FIELDS = ("options", "multiple", "anonymous", "ends_at", "duration_hours")


def poll_spec_from(data: object) -> PollSpec:
    """`poll_spec` for a mapping that came from outside (a form, a JSON body)."""
    if not isinstance(data, dict):
        raise ValidationError({"poll": "A poll is an object with options."})
    unknown = sorted(set(data) - set(POLL_FIELDS))
    if unknown:
        raise ValidationError({"poll": f"Unknown poll field: {unknown[0]}."})
    if "options" not in data:
        raise ValidationError({"poll": "A poll needs options."})
    return poll_spec(**data)


def poll_create(*, status: Status, spec: PollSpec) -> Poll:
    """Attach a poll to a new status. Called by `feeds.services.status_create` inside its
    transaction, before the `status.created` event is built, so the event carries the poll."""
    poll = Poll.objects.create(
        status=status,
        multiple=spec.multiple,
        anonymous=spec.anonymous,
        ends_at=spec.ends_at,
        created_at=status.created_at,
    )
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=i, label=label) for i, label in enumerate(spec.labels)
    )
    return poll


# --- Voting --------------------------------------------------------------------------------


def _clean_choice(option_ids: object, poll: Poll, options: dict[int, PollOption]) -> list[int]:
    if not isinstance(option_ids, list | tuple):
        raise ValidationError({"options": "A list of option ids."})
    if not option_ids:
        raise ValidationError({"options": "Choose an option."})
    ids = []
    for raw in option_ids:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValidationError({"options": "Option ids are whole numbers."})
        try:
            ids.append(int(raw))
        except ValueError:
            raise ValidationError({"options": "Option ids are whole numbers."}) from None
    if len(set(ids)) != len(ids):
        raise ValidationError({"options": "Each option can be chosen once."})
    foreign = [i for i in ids if i not in options]
    if foreign:
        raise ValidationError({"options": f"Option {foreign[0]} is not in this poll."})
    if len(ids) > 1 and not poll.multiple:
        raise ValidationError({"options": "This poll takes one choice."})
    return ids


def _can_see(user: User, status: Status) -> bool:
    return Status.objects.filter(visible_q(user), pk=status.pk).exists()


def poll_vote(
    *, user: User, status: Status, option_ids: Sequence[int], at: datetime | None = None
) -> Poll:
    """Cast `user`'s final vote in the poll of `status`. Bad input, a closed poll, a removed
    status and a second vote are ValidationErrors; nothing is written then.

    `at` (demo data only) dates the vote in the past; the poll must have been open then."""
    at = at or timezone.now()
    if not user.is_active:
        raise PermissionDenied("Log in with an active account.")
    if not _can_see(user, status):
        raise PermissionDenied("You cannot vote on this status.")
    if status.is_removed:
        raise ValidationError("This status was removed; its poll takes no votes.")
    if not Poll.objects.filter(status=status).exists():
        raise Http404("This status has no poll.")
    try:
        with transaction.atomic():
            # Locked: votes on one poll are counted one after the other (see the docstring).
            poll = Poll.objects.select_for_update().get(status=status)
            options = {o.pk: o for o in PollOption.objects.filter(poll=poll)}
            ids = _clean_choice(option_ids, poll, options)
            if poll.ends_at <= at:
                raise ValidationError("This poll has closed; it takes no more votes.")
            if PollBallot.objects.filter(poll=poll, user=user).exists():
                raise ValidationError("You have already voted in this poll; votes are final.")
            PollBallot.objects.create(poll=poll, user=user)
            PollOption.objects.filter(pk__in=ids).update(votes_count=F("votes_count") + 1)
            Poll.objects.filter(pk=poll.pk).update(voters_count=F("voters_count") + 1)
            if not poll.anonymous:
                PollVote.objects.bulk_create(
                    PollVote(option_id=i, user=user, created_at=at) for i in ids
                )
            _record_activity(user=user, poll=poll, status=status, at=at)
            poll_changed(status=status)
    except IntegrityError:
        # Two requests of the same person raced past the check: the ballot's constraint holds.
        raise ValidationError("You have already voted in this poll; votes are final.") from None
    return poll


def _record_activity(*, user: User, poll: Poll, status: Status, at: datetime) -> None:
    # An anonymous poll's vote is counted without the voter: with a person and a time on it,
    # the record could be lined up with the live counts to tell who chose what. Nor does it
    # name the community: like the department, it stays off a line that has no person.
    if poll.anonymous:
        activity_record(actor=None, kind="poll_vote", object_id=poll.pk, at=at)
        return
    activity_record(
        actor=user,
        kind="poll_vote",
        object_id=poll.pk,
        community_id=status.community_id,
        at=at,
    )


# --- Reading -------------------------------------------------------------------------------


def polls_for(status_ids: Iterable[int], *, user: User | None) -> dict[int, Poll]:
    """The polls of these statuses by status id, with options and shown voters: at most three
    queries whatever the number of statuses (none past the first when no status has a poll).
    With a `user`, each poll knows whether they voted and each named option whether they chose
    it."""
    status_ids = list(status_ids)
    if not status_ids:
        return {}
    options = PollOption.objects.order_by("position", "id")
    polls = Poll.objects.filter(status_id__in=status_ids)
    if user is not None:
        polls = polls.annotate(
            viewer_voted=Exists(PollBallot.objects.filter(poll=OuterRef("pk"), user=user))
        )
        options = options.annotate(
            viewer_chose=Exists(PollVote.objects.filter(option=OuterRef("pk"), user=user))
        )
    shown = PollVote.objects.select_related("user__profile").order_by("created_at", "id")
    polls = polls.prefetch_related(
        Prefetch("options", queryset=options, to_attr="option_list"),
        Prefetch("option_list__votes", queryset=shown[:VOTERS_SHOWN], to_attr="shown_votes"),
    )
    return {poll.status_id: poll for poll in polls}


def poll_payload(poll: Poll, *, viewer: bool) -> dict:
    """The `poll` object of a status. With `viewer`, also what the viewer did (`has_voted`,
    `my_choices`): never in events that many people receive. An anonymous poll names no
    voters and, even to the voter, shows no choice (none is stored)."""
    options = getattr(poll, "option_list", None)
    if options is None:
        options = list(poll.options.order_by("position", "id"))
    out_options = []
    for option in options:
        item = {"id": option.pk, "label": option.label, "votes_count": option.votes_count}
        if not poll.anonymous:
            votes = getattr(option, "shown_votes", None)
            if votes is None:
                votes = option.votes.select_related("user__profile").order_by("created_at", "id")
                votes = votes[:VOTERS_SHOWN]
            item["voters"] = [
                {
                    "username": vote.user.username,
                    "display_name": vote.user.profile.display_name or vote.user.username,
                }
                for vote in votes
            ]
        out_options.append(item)
    payload = {
        "id": poll.pk,
        "options": out_options,
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        # Formatted like every other time of the API (`created_at`), in events too.
        "ends_at": DateTimeField().to_representation(poll.ends_at),
        "is_closed": poll.is_closed,
        "total_votes": sum(o["votes_count"] for o in out_options),
        "voters_count": poll.voters_count,
    }
    if viewer:
        payload["has_voted"] = bool(getattr(poll, "viewer_voted", False))
        payload["my_choices"] = (
            [] if poll.anonymous else [o.pk for o in options if getattr(o, "viewer_chose", False)]
        )
    return payload


def decorate_polls(statuses: list[Status], *, user: User | None) -> None:
    """Set `status.poll_data` (the payload, or None) on each status of a page, and for the
    templates `status.poll_ends_at` (a datetime); used by `feeds.selectors.decorate`. A
    removed status serves no poll, like it serves no words. Statuses read with `has_poll`
    (feeds.selectors.statuses_by_ids) are asked about only when they have one."""
    polls = polls_for(
        [s.pk for s in statuses if not s.is_removed and getattr(s, "has_poll", True)], user=user
    )
    for status in statuses:
        poll = polls.get(status.pk)
        status.poll_ends_at = poll.ends_at if poll is not None else None
        status.poll_data = poll_payload(poll, viewer=user is not None) if poll is not None else None
        # Whose names the payload shows (feeds.status_cache: a voter's new name is a change).
        status.poll_voter_ids = sorted(
            {
                vote.user_id
                for option in getattr(poll, "option_list", ())
                for vote in getattr(option, "shown_votes", ())
            }
        )


def poll_state(*, status: Status, user: User | None) -> dict | None:
    """The poll of one status as `user` sees it (None: everyone, as in events)."""
    decorate_polls([status], user=user)
    return status.poll_data


# --- Live ----------------------------------------------------------------------------------


def poll_changed(*, status: Status) -> None:
    """Its author, thread and watchers hear the new counts, if they may read it; nobody's
    choices."""
    statuses_changed([status.pk])
    broadcast_on_commit(
        {
            "type": "poll.changed",
            "status_id": status.pk,
            "poll": poll_state(status=status, user=None),
        },
        counts_audience(status),
    )
