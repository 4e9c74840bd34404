"""The only code that writes questions to leadership (votes, answers, moderation) and blog posts."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from activity.services import Kind, activity_record
from attachments import services as attachment_services
from audit.services import audit_record
from core.images import reencode_upload
from core.jobs import job_run_at
from core.ratelimit import RateLimited
from core.tags import clean_tags
from core.text import mention_candidates, render
from feeds.models import ModerationAction, Status, Visibility
from feeds.services import (
    MAX_LENGTH,
    MODERATION_AUDIT,
    clean_reason,
    hashtags_for,
    removable_hide,
    removable_restore,
    render_user_text,
)
from feeds.versions import statuses_changed
from notifications.services import notification_create, notifications_create_many
from profiles.models import User
from profiles.permissions import is_employee

from . import events, hooks
from .delegates import delegate_acted
from .models import (
    BLOG_MAX_ATTACHMENTS,
    BODY_MAX,
    BODY_MIN,
    IMAGE_ALT_MAX,
    POST_BODY_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    BlogImage,
    BlogPost,
    BlogPostRevision,
    BlogRead,
    Question,
    QuestionVote,
)
from .permissions import (
    can_act_as,
    can_ask,
    can_edit_post,
    can_moderate_questions,
    can_vote,
)

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_WIDTH = 1600
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
        recent = Question.objects.filter(asker=asker, created_at__gte=since)
        if recent.count() >= RATE_LIMIT:
            oldest = recent.order_by("created_at").values_list("created_at", flat=True)[0]
            raise RateLimited(
                f"You can ask at most {RATE_LIMIT} questions an hour. Try again later.",
                retry_after=(oldest + RATE_WINDOW - timezone.now()).total_seconds() + 1,
                field="body",
            )
        question = Question.objects.create(asker=asker, body=body, anonymous=bool(anonymous))
        # An anonymous question is counted without its asker (see Question.anonymous).
        activity_record(
            actor=None if question.anonymous else asker,
            kind=Kind.QUESTION,
            object_id=question.pk,
        )
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
                activity_record(actor=user, kind=Kind.VOTE, object_id=question.pk)
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


def question_answer(
    *, executive: User, question: Question, body: str, actor: User | None = None
) -> Question:
    """Answer publicly (Markdown); answering again edits the answer and notifies nobody new.

    `actor`: a delegate answering as `executive` (default: the executive themselves); the
    answer shows the executive as its author and the delegate as `answer_posted_by`.
    The asker and every voter are notified; the actor is the executive, so the notification
    never carries the identity of an anonymous asker to anyone."""
    actor = actor or executive
    if not can_act_as(actor, executive):
        if actor.pk == executive.pk:
            raise PermissionDenied("Only executives answer questions.")
        raise PermissionDenied(
            f"You do not answer for {executive.username}: they have not named you their delegate."
        )
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
    previous_executive_id = question.answered_by_id
    rendered = render_user_text(body)
    with transaction.atomic():
        question.answer_body = body
        question.answer_html = rendered.html
        question.answered_by = executive
        if actor.pk != executive.pk:
            question.answer_posted_by = actor
        elif first or previous_executive_id != executive.pk:
            question.answer_posted_by = None  # the executive's own answer
        question.answered_at = timezone.now() if first else question.answered_at
        question.save(
            update_fields=[
                "answer_body",
                "answer_html",
                "answered_by",
                "answer_posted_by",
                "answered_at",
            ]
        )
        if actor.pk != executive.pk:
            delegate_acted(
                delegate=actor,
                executive=executive,
                target=question,
                what="answered" if first else "edited_answer",
            )
        if first:
            waited = question.answered_at - question.created_at
            activity_record(
                actor=executive,
                kind=Kind.ANSWER,
                object_id=question.pk,
                value=int(waited.total_seconds() // 3600),
                about_id=None if question.anonymous else question.asker_id,
                at=question.answered_at,
            )
            voter_ids = QuestionVote.objects.filter(question=question).values_list(
                "user_id", flat=True
            )
            recipients = User.objects.filter(pk__in=[question.asker_id, *voter_ids])
            for recipient in recipients:
                notification_create(
                    recipient=recipient, kind="answer", actor=executive, target=question
                )
        events.question_answered(question)
        if first:
            hooks.question_answered.send(question=question)
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
            removable_hide(target=question, moderator=moderator, reason=reason, now=now)
        elif action == ModerationAction.Action.RESTORE:
            removable_restore(target=question)
        elif action == ModerationAction.Action.MERGE:
            _merge(question=question, into=into)
        else:
            raise ValidationError({"action": "One of: hide, restore, merge."})
        entry = ModerationAction.objects.create(
            moderator=moderator, action=action, target=question, reason=reason, created_at=now
        )
        detail = {"reason": reason, "moderation_action": entry.pk}
        if action == ModerationAction.Action.MERGE:
            detail["into"] = into.pk
        audit_record(
            action=MODERATION_AUDIT[action], actor=moderator, target=question, detail=detail
        )
    return entry


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


# --- Executive blog ------------------------------------------------------------------------

RESERVED_SLUGS = {"new", "images", "delegates"}


def _clean_post_fields(*, title: str, summary: str, body: str) -> tuple[str, str, str]:
    errors = {}
    title = " ".join((title or "").split())
    summary = " ".join((summary or "").split())
    body = (body or "").strip()
    if not title:
        errors["title"] = "Give the post a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"At most {TITLE_MAX} characters."
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = f"At most {SUMMARY_MAX} characters."
    if not body:
        errors["body"] = "Write something first."
    elif len(body) > POST_BODY_MAX:
        errors["body"] = f"At most {POST_BODY_MAX:,} characters ({len(body):,} now)."
    if errors:
        raise ValidationError(errors)
    return title, summary, body


def _unique_slug(title: str) -> str:
    base = slugify(title)[:150].strip("-") or "post"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or BlogPost.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_state(status: str, publish_at: datetime | None, now: datetime):
    if status not in BlogPost.State.values:
        raise ValidationError({"status": "One of: draft, published."})
    if status == BlogPost.State.PUBLISHED and publish_at is None:
        publish_at = now
    return status, publish_at


def render_long_text(body: str):
    candidates = mention_candidates(body)
    known = {}
    if candidates:
        known = {
            name.lower(): name
            for name in User.objects.filter(username__in=candidates, is_active=True).values_list(
                "username", flat=True
            )
        }
    return render(body, long_form=True, known_usernames=known, link_hashtags=True)


def _card_text(post: BlogPost) -> str:
    text = f"**{post.title}**"
    if post.summary:
        text += f" — {post.summary}"
    text += f" [Read the post]({post.get_absolute_url()})"
    # The feed card is a status of the author's: a delegate's post says so in its text, which
    # the feed, the status API, live events and webhooks all carry.
    label = post.posted_by_label
    if label:
        text += f"\n\n*{label[0].upper()}{label[1:]}.*"
    return text


def _sync_card(post: BlogPost) -> None:
    """The company status that carries a published post into every feed, dated `publish_at`
    (feeds hide statuses dated in the future, so a scheduled card waits for its time)."""
    if not post.is_published:
        if post.card_id is not None:  # a scheduled post went back to a draft
            card_id = post.card_id
            post.card = None
            post.save(update_fields=["card"])
            Status.objects.filter(pk=card_id).delete()
        return
    body = _card_text(post)
    html = render_user_text(body).html
    if post.card_id is None:
        card = Status.objects.create(
            author=post.author,
            body=body,
            body_html=html,
            visibility=Visibility.COMPANY,
            created_at=post.publish_at,
            # An announcement whose pinned time ends when it starts: it takes its place in
            # every employee's feed (followers or not) without leading it.
            is_announcement=True,
            announcement_until=post.publish_at,
            announced_by=post.author,
        )
        post.card = card
        post.save(update_fields=["card"])
    else:
        Status.objects.filter(pk=post.card_id).update(
            body=body,
            body_html=html,
            created_at=post.publish_at,
            announcement_until=post.publish_at,
        )
        statuses_changed([post.card_id])  # its cached card (feeds.status_cache)


def post_create(
    *,
    author: User,
    title: str,
    body: str,
    summary: str = "",
    tags: list[str] | None = None,
    status: str = BlogPost.State.DRAFT,
    publish_at: datetime | None = None,
    slug: str | None = None,
    attachments: list[str] | None = None,
    actor: User | None = None,
) -> BlogPost:
    """Write a post: a draft, published now, or scheduled (`published` with a later time).

    `actor`: a delegate writing as `author` (default: the author themselves); the post shows
    the author and, as `posted_by`, the delegate."""
    actor = actor or author
    if not can_act_as(actor, author):
        if actor.pk == author.pk:
            raise PermissionDenied("Only executives write blog posts.")
        raise PermissionDenied(
            f"You do not write for {author.username}: they have not named you their delegate."
        )
    title, summary, body = _clean_post_fields(title=title, summary=summary, body=body)
    tag_names = clean_tags(tags)
    now = timezone.now()
    status, publish_at = _clean_state(status, publish_at, now)
    rendered = render_long_text(body)
    with transaction.atomic():
        if slug:
            slug = slugify(slug)[:150]
            if not slug or slug in RESERVED_SLUGS or BlogPost.objects.filter(slug=slug).exists():
                raise ValidationError({"slug": "This slug is taken: choose another."})
        else:
            slug = _unique_slug(title)
        try:
            with transaction.atomic():
                post = BlogPost.objects.create(
                    author=author,
                    title=title,
                    slug=slug,
                    summary=summary,
                    body=body,
                    body_html=rendered.html,
                    status=status,
                    publish_at=publish_at,
                    created_at=now,
                    posted_by=None if actor.pk == author.pk else actor,
                )
        except IntegrityError:
            raise ValidationError({"slug": "This slug is taken: choose another."}) from None
        post.tags.set(hashtags_for(tag_names))
        attachment_services.attachments_attach(
            owner=post, ids=attachments, user=actor, limit=BLOG_MAX_ATTACHMENTS
        )
        _sync_card(post)
        _schedule_release(post)
        if post.posted_by_id:
            delegate_acted(delegate=actor, executive=author, target=post, what=_post_what(post))
    if post.is_live:
        posts_release_due()
    return post


def _post_what(post: BlogPost, *, before: tuple[bool, str, object] | None = None) -> str:
    """What a save did, in the words of the audit log: drafted, scheduled, published, edited.
    `before`: (was live, status, publish_at) before the save; None for a new post."""
    if before is None:
        if not post.is_published:
            return "drafted"
        return "scheduled" if post.is_scheduled else "published"
    was_live, status, publish_at = before
    changed = (status, publish_at) != (post.status, post.publish_at)
    if not was_live and post.is_published and changed:
        return "scheduled" if post.is_scheduled else "published"
    return "edited"


def post_update(*, actor: User, post: BlogPost, **changes) -> BlogPost:
    """Edit (its author or one of the author's delegates). A published post keeps its earlier
    version in the history. `posted_by` names the last delegate who saved it; the author's own
    edits keep it, and it is cleared when the author publishes or schedules it themselves."""
    if not can_edit_post(actor, post):
        raise PermissionDenied("Only its author or their delegates can edit a post.")
    before = (post.is_live, post.status, post.publish_at)
    title, summary, body = _clean_post_fields(
        title=changes.get("title", post.title),
        summary=changes.get("summary", post.summary),
        body=changes.get("body", post.body),
    )
    now = timezone.now()
    status = changes.get("status", post.status)
    publish_at = changes.get("publish_at", post.publish_at)
    if post.is_live and status == BlogPost.State.DRAFT:
        raise ValidationError({"status": "A published post cannot go back to a draft."})
    if post.is_live and "publish_at" in changes and publish_at != post.publish_at:
        raise ValidationError({"publish_at": "A published post keeps its publication time."})
    status, publish_at = _clean_state(status, publish_at, now)
    tag_names = clean_tags(changes["tags"]) if "tags" in changes else None
    text_changed = (title, summary, body) != (post.title, post.summary, post.body)
    with transaction.atomic():
        if text_changed and post.is_live:
            BlogPostRevision.objects.create(
                post=post,
                title=post.title,
                summary=post.summary,
                body=post.body,
                body_html=post.body_html,
                written_at=post.edited_at or post.publish_at,
                replaced_at=now,
            )
            post.edited_at = now
        if body != post.body:
            post.body_html = render_long_text(body).html
        post.title, post.summary, post.body = title, summary, body
        post.status, post.publish_at = status, publish_at
        what = _post_what(post, before=before)
        if actor.pk != post.author_id:
            post.posted_by = actor
        elif what in ("published", "scheduled"):
            post.posted_by = None  # the author published it themselves
        post.save()
        if tag_names is not None:
            post.tags.set(hashtags_for(tag_names))
        if changes.get("attachments") is not None:
            attachment_services.attachments_set(
                owner=post, ids=changes["attachments"], user=actor, limit=BLOG_MAX_ATTACHMENTS
            )
        _sync_card(post)
        _schedule_release(post)
        if actor.pk != post.author_id:
            delegate_acted(delegate=actor, executive=post.author, target=post, what=what)
    if post.is_live:
        posts_release_due()
    return post


def _schedule_release(post: BlogPost) -> None:
    # The job runner announces a scheduled post at its time, whoever reads or not; its
    # every-minute run of the same job catches anything this misses.
    if post.is_scheduled:
        job_run_at("exec_blog.jobs.posts_release", when=post.publish_at, key=f"blog-{post.pk}")


def posts_release_due() -> int:
    """Announce the posts whose time has come: notifications to every employee and the
    `blog.published` event, once per post. Idempotent and cheap (one indexed query when there
    is nothing to do): the job runner calls it every minute and at each scheduled post's time
    (`exec_blog.jobs`); the conditional update makes two parallel callers (two workers)
    announce a post only once. Returns how many posts were announced."""
    now = timezone.now()
    due = list(
        BlogPost.objects.filter(
            status=BlogPost.State.PUBLISHED, publish_at__lte=now, announced_at__isnull=True
        ).values_list("pk", flat=True)
    )
    released = 0
    for pk in due:
        with transaction.atomic():
            claimed = BlogPost.objects.filter(pk=pk, announced_at__isnull=True).update(
                announced_at=now
            )
            if not claimed:
                continue
            post = BlogPost.objects.select_related("author", "posted_by").get(pk=pk)
            recipients = User.objects.filter(is_active=True).exclude(
                pk__in=[post.author_id, post.posted_by_id or post.author_id]
            )
            # Not live one by one: `blog.published` tells everyone at once.
            notifications_create_many(
                recipient_ids=recipients.values_list("pk", flat=True).iterator(),
                kind="blog",
                actor=post.author,
                target=post,
                at=now,
                live=False,
            )
            events.blog_published(post)
            hooks.blog_published.send(post=post)
            released += 1
    return released


def post_read(*, user: User, post: BlogPost) -> bool:
    """Count the reader's first visit (the author's own visits do not count)."""
    if not is_employee(user) or user.pk == post.author_id or not post.is_live:
        return False
    try:
        with transaction.atomic():
            _, created = BlogRead.objects.get_or_create(post=post, user=user)
            if created:
                BlogPost.objects.filter(pk=post.pk).update(reads_count=F("reads_count") + 1)
                activity_record(actor=user, kind=Kind.BLOG_READ, object_id=post.pk)
    except IntegrityError:
        created = False
    if created:
        post.reads_count += 1
    return created


def post_image_add(*, actor: User, post: BlogPost, upload, alt: str = "") -> BlogImage:
    """Attach a picture to a post (its author or their delegates): validated by its content like
    an avatar, re-encoded to WebP at most 1600 px wide. Paste `image.markdown` into the body."""
    if not can_edit_post(actor, post):
        raise PermissionDenied("Only its author or their delegates can add images to a post.")
    alt = " ".join((alt or "").split())
    if len(alt) > IMAGE_ALT_MAX:
        raise ValidationError({"alt": f"At most {IMAGE_ALT_MAX} characters."})
    data, width, height = reencode_upload(
        upload, max_bytes=IMAGE_MAX_BYTES, max_size=IMAGE_MAX_WIDTH, field="image"
    )
    image = BlogImage(post=post, alt=alt, width=width, height=height)
    image.file.save("image.webp", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            image.save()
            if actor.pk != post.author_id:
                delegate_acted(
                    delegate=actor, executive=post.author, target=post, what="added_image"
                )
    except Exception:
        image.file.storage.delete(image.file.name)
        raise
    return image
