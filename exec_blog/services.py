"""The only code that writes questions to leadership, their votes, answers and moderation."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from feeds.models import ModerationAction, Notification, Removal
from feeds.services import MAX_LENGTH, clean_reason, notification_create, render_user_text
from profiles.models import User

from . import events
from .models import BODY_MAX, BODY_MIN, Question, QuestionVote
from .permissions import can_answer, can_ask, can_moderate_questions, can_vote

RATE_LIMIT = 5  # questions per asker…
RATE_WINDOW = timedelta(hours=1)  # …in this window


def clean_question(body: str | None) -> str:
    body = (body or "").strip()
    if len(body) < BODY_MIN:
        raise ValidationError({"body": f"Ask in at least {BODY_MIN} characters."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"At most {BODY_MAX} characters ({len(body):,} now)."})
    return body


# --- Questions -----------------------------------------------------------------------------


def question_create(*, asker: User, body: str, anonymous: bool = False) -> Question:
    """Ask leadership. The asker of an anonymous question is kept only for the rate limit."""
    if not can_ask(asker):
        raise PermissionDenied("Log in with an active account.")
    body = clean_question(body)
    since = timezone.now() - RATE_WINDOW
    with transaction.atomic():
        # Lock the asker's row so two parallel posts cannot both pass the limit.
        User.objects.select_for_update().filter(pk=asker.pk).first()
        if Question.objects.filter(asker=asker, created_at__gte=since).count() >= RATE_LIMIT:
            raise ValidationError(
                {"body": f"You can ask at most {RATE_LIMIT} questions an hour. Try again later."}
            )
        question = Question.objects.create(asker=asker, body=body, anonymous=bool(anonymous))
    return question


# --- Votes ---------------------------------------------------------------------------------


def _open_for_votes(question: Question) -> None:
    if question.is_removed:
        raise ValidationError("This question is hidden.")
    if question.merged_into_id:
        raise ValidationError("This question was merged into another: vote there.")


def question_vote(*, user: User, question: Question) -> bool:
    """Upvote; voting again changes nothing. Returns True if a vote was added.

    Nobody votes for their own question (400): a vote means "I want this answered too"."""
    if not can_vote(user, question):
        raise ValidationError("You cannot vote for your own question.")
    _open_for_votes(question)
    try:
        with transaction.atomic():
            _, created = QuestionVote.objects.get_or_create(question=question, user=user)
            if created:
                Question.objects.filter(pk=question.pk).update(votes_count=F("votes_count") + 1)
    except IntegrityError:
        created = False
    question.refresh_from_db(fields=["votes_count"])
    return created


def question_unvote(*, user: User, question: Question) -> bool:
    """Take a vote back; without a vote this changes nothing. Returns True if one was removed."""
    with transaction.atomic():
        deleted, _ = QuestionVote.objects.filter(question=question, user=user).delete()
        if deleted:
            Question.objects.filter(pk=question.pk).update(votes_count=F("votes_count") - 1)
    question.refresh_from_db(fields=["votes_count"])
    return bool(deleted)


# --- Answers -------------------------------------------------------------------------------


def question_answer(*, executive: User, question: Question, body: str) -> Question:
    """Answer publicly (Markdown); answering again edits the answer and notifies nobody new.

    The asker and every voter are notified; the actor is the executive, so the notification
    never carries the identity of an anonymous asker to anyone."""
    if not can_answer(executive):
        raise PermissionDenied("Only executives answer questions.")
    if question.is_removed:
        raise ValidationError("This question is hidden.")
    if question.merged_into_id:
        raise ValidationError("This question was merged into another: answer that one.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write an answer first."})
    if len(body) > MAX_LENGTH:
        raise ValidationError({"body": f"At most {MAX_LENGTH:,} characters ({len(body):,} now)."})
    first = not question.is_answered
    rendered = render_user_text(body)
    with transaction.atomic():
        question.answer_body = body
        question.answer_html = rendered.html
        question.answered_by = executive
        question.answered_at = timezone.now() if first else question.answered_at
        question.save(update_fields=["answer_body", "answer_html", "answered_by", "answered_at"])
        if first:
            voter_ids = QuestionVote.objects.filter(question=question).values_list(
                "user_id", flat=True
            )
            recipients = User.objects.filter(pk__in=[question.asker_id, *voter_ids])
            for recipient in recipients:
                notification_create(
                    recipient=recipient,
                    kind=Notification.Kind.ANSWER,
                    actor=executive,
                    question=question,
                )
        events.question_answered(question)
    return question


# --- Moderation ----------------------------------------------------------------------------


def question_moderate(
    *,
    moderator: User,
    question: Question,
    action: str,
    reason: str,
    into: Question | None = None,
) -> ModerationAction:
    """Hide, restore or merge a question, with a public reason in the moderation log."""
    if not can_moderate_questions(moderator):
        raise PermissionDenied("Only moderators moderate.")
    reason = clean_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        if action == ModerationAction.Action.HIDE:
            if question.removal:
                raise ValidationError({"action": "This question is already hidden."})
            question.removal = Removal.MODERATOR
            question.removal_reason = reason
            question.removed_by = moderator
            question.removed_at = now
            question.save(update_fields=["removal", "removal_reason", "removed_by", "removed_at"])
        elif action == ModerationAction.Action.RESTORE:
            if question.removal != Removal.MODERATOR:
                raise ValidationError({"action": "Only a hidden question can be restored."})
            question.removal = ""
            question.removal_reason = ""
            question.removed_by = None
            question.removed_at = None
            question.save(update_fields=["removal", "removal_reason", "removed_by", "removed_at"])
        elif action == ModerationAction.Action.MERGE:
            _merge(question=question, into=into)
        else:
            raise ValidationError({"action": "One of: hide, restore, merge."})
        return ModerationAction.objects.create(
            moderator=moderator, action=action, question=question, reason=reason, created_at=now
        )


def _merge(*, question: Question, into: Question | None) -> None:
    """Point the duplicate at an earlier question; its voters (and asker) become voters there.

    Someone who voted for both counts once; the target's own asker does not vote for it."""
    if into is None:
        raise ValidationError({"into": "Which question is this a duplicate of?"})
    if into.pk == question.pk:
        raise ValidationError({"into": "A question cannot be merged into itself."})
    if question.merged_into_id:
        raise ValidationError({"action": "This question is already merged."})
    if into.merged_into_id or into.is_removed:
        raise ValidationError({"into": "Merge into a visible question that is not merged."})
    if (into.created_at, into.pk) > (question.created_at, question.pk):
        raise ValidationError({"into": "Merge a duplicate into an earlier question."})
    already = set(QuestionVote.objects.filter(question=into).values_list("user_id", flat=True))
    movers = set(QuestionVote.objects.filter(question=question).values_list("user_id", flat=True))
    # The duplicate's asker wanted this answered too.
    movers.add(question.asker_id)
    new = sorted(movers - already - {into.asker_id})
    QuestionVote.objects.bulk_create(
        [QuestionVote(question=into, user_id=user_id) for user_id in new], ignore_conflicts=True
    )
    Question.objects.filter(pk=into.pk).update(
        votes_count=QuestionVote.objects.filter(question=into).count()
    )
    question.merged_into = into
    question.save(update_fields=["merged_into"])
    into.refresh_from_db(fields=["votes_count"])
