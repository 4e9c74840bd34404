"""Pages of the feed. Every action works as a plain form post and, with htmx, in place."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attachments.selectors import attachments_of
from communities import selectors as community_selectors
from communities.models import Membership
from communities.permissions import can_manage, can_post
from core import ratelimit
from core.forms import form_errors
from core.http import safe_next
from core.ids import parse_id
from core.pagination import BadCursor, keyset_page
from profiles import selectors as profile_selectors
from profiles.services import profile_ensure

from . import polls, selectors, services
from .models import (
    MAX_LENGTH,
    MAX_REASON,
    STATUS_ACTIONS,
    Comment,
    ModerationAction,
    Report,
    Status,
    Visibility,
)
from .permissions import (
    can_announce,
    can_moderate,
    can_moderate_status,
    may_moderate_somewhere,
)

PAGE_SIZE = 20
MY_COMMUNITIES_SHOWN = 6
POLL_DURATIONS = [
    (1, "1 hour"),
    (6, "6 hours"),
    (24, "1 day"),
    (72, "3 days"),
    (168, "1 week"),
    (336, "2 weeks"),
    (720, "30 days"),
]


class StatusForm(forms.Form):
    body = forms.CharField(
        label="Share an update",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "What are you working on? Use @name and #tags."}
        ),
    )
    visibility = forms.ChoiceField(
        label="Who can see it", choices=Visibility.choices, initial=Visibility.COMPANY
    )
    # Posting from a community's page: its slug (the community decides who reads it).
    community = forms.SlugField(required=False, widget=forms.HiddenInput, max_length=50)
    # "Add a poll": a poll is made when any option is filled in (see `status_arguments`).
    poll_duration = forms.TypedChoiceField(
        label="Ends in", coerce=int, choices=POLL_DURATIONS, initial=24, required=False
    )
    poll_multiple = forms.BooleanField(label="People can choose more than one", required=False)
    poll_anonymous = forms.BooleanField(
        label="Anonymous: keep only the counts, never who chose what", required=False
    )
    # The ids of the uploads attachments.js made (POST /api/v1/uploads/), comma-separated.
    attachments = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, polls.MAX_OPTIONS + 1):
            self.fields[f"poll_option_{i}"] = forms.CharField(
                label=f"Option {i}", max_length=polls.MAX_LABEL, required=False
            )

    def poll_option_fields(self) -> list:
        return [self[f"poll_option_{i}"] for i in range(1, polls.MAX_OPTIONS + 1)]

    def poll_open(self) -> bool:
        """Whether "Add a poll" starts open: the poster filled it in and it comes back."""
        return self.is_bound and any(
            (self.data.get(f"poll_option_{i}") or "").strip()
            for i in range(1, polls.MAX_OPTIONS + 1)
        )

    def status_arguments(self) -> dict:
        data = self.cleaned_data
        labels = [data[f"poll_option_{i}"] for i in range(1, polls.MAX_OPTIONS + 1)]
        labels = [label for label in labels if label.strip()]
        poll = None
        if labels:
            poll = {
                "options": labels,
                "multiple": data["poll_multiple"],
                "anonymous": data["poll_anonymous"],
                "duration_hours": data["poll_duration"] or 24,
            }
        attachments = [t for t in data["attachments"].split(",") if t.strip()]
        return {
            "body": data["body"],
            "visibility": data["visibility"],
            "poll": poll,
            "attachments": attachments,
        }

    def community_slug(self) -> str:
        return self.cleaned_data.get("community") or ""


class EditForm(forms.Form):
    body = forms.CharField(
        label="Your update",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attachments = list(attachments)
        if self.attachments:
            # Unticked: removed from the update (the history keeps which it had).
            self.fields["keep"] = forms.MultipleChoiceField(
                label="Attachments (untick one to remove it)",
                choices=[(a.token, f"{a.name} ({a.type_label})") for a in self.attachments],
                initial=[a.token for a in self.attachments],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def update_arguments(self) -> dict:
        arguments = {"body": self.cleaned_data["body"]}
        if self.attachments:
            keep = set(self.cleaned_data.get("keep") or ())
            arguments["attachments"] = [a.token for a in self.attachments if a.token in keep]
        return arguments


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Write a comment…"}),
    )
    # The ids of the uploads attachments.js made, comma-separated (as on the composer).
    attachments = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def attachment_ids(self) -> list[str]:
        return [t for t in (self.cleaned_data.get("attachments") or "").split(",") if t.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown to everyone)",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModerationForm(ReasonForm):
    action = forms.ChoiceField(
        choices=[c for c in ModerationAction.Action.choices if c[0] in STATUS_ACTIONS]
    )


class AnnouncementForm(forms.Form):
    pinned = forms.BooleanField(required=False)
    until = forms.DateField(
        label="Pinned until (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def vote_toggle(request, *, target, vote, unvote, decorate, template: str, name: str):
    """A vote button's form: `action` is add or remove. Without htmx the view redirects back
    (a refusal becomes a message); with htmx it answers `template` in place (400 if refused).
    Questions and ideas share it; `vote`/`unvote` are their services."""
    code = 200
    try:
        if request.POST.get("action") == "remove":
            unvote(user=request.user, **{name: target})
        else:
            vote(user=request.user, **{name: target})
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, exc.messages[0])
            return redirect(safe_next(request, target.get_absolute_url()))
        code = 400
    if request.htmx:
        decorate([target], user=request.user)
        return render(request, template, {name: target}, status=code)
    return redirect(safe_next(request, target.get_absolute_url()))


def _timeline(request, qs, *, template: str, context: dict, partial: str = "feeds/_page.html"):
    """Render a keyset page of statuses; htmx "load more" gets just the next chunk."""
    try:
        statuses, next_cursor = keyset_page(qs, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    extra = list(context.pop("pinned", []))
    selectors.decorate(extra + statuses, user=request.user)
    context.update({"statuses": statuses, "pinned": extra, "next_cursor": next_cursor})
    if request.htmx and request.GET.get("cursor"):
        return render(request, partial, context)
    return render(request, template, context)


# --- Timelines -------------------------------------------------------------------------------


@require_GET
def home(request):
    profile = profile_ensure(user=request.user)
    pinned = (
        [] if request.GET.get("cursor") else list(selectors.pinned_announcements(user=request.user))
    )
    return _timeline(
        request,
        selectors.feed(user=request.user),
        template="feeds/home.html",
        context={
            "form": StatusForm(),
            "profile": profile,
            "pinned": pinned,
            "suggestions": profile_selectors.colleagues_to_follow(viewer=request.user),
            "my_communities": community_selectors.communities_for(user=request.user, mine=True)[
                :MY_COMMUNITIES_SHOWN
            ],
        },
    )


@require_GET
def community(request, slug: str):
    """A community's page: who it is for, its pinned posts, its feed, a composer for members.
    A private community shows non-members its name, description and how to join, never posts."""
    club = community_selectors.community_get_for_user(user=request.user, slug=slug)
    membership: Membership | None = club.my_membership
    readable = club.visibility == "open" or (membership is not None and membership.is_active)
    context = {
        "community": club,
        "membership": membership,
        "readable": readable,
        "can_post": can_post(club, membership),
        "can_manage": can_manage(membership),
        "admins": list(
            community_selectors.members_of(community=club).filter(role__in=("owner", "admin"))[:6]
        ),
        "form": StatusForm(initial={"community": club.slug}),
        "nav_section": "communities",
    }
    if not readable:
        return render(request, "feeds/community.html", {**context, "statuses": []})
    context["pinned"] = (
        []
        if request.GET.get("cursor")
        else list(selectors.community_pinned(user=request.user, community=club))
    )
    return _timeline(
        request,
        selectors.community_statuses(user=request.user, community=club),
        template="feeds/community.html",
        context=context,
    )


@require_GET
def tag(request, tag: str):
    hashtag = selectors.hashtag_get(tag=tag)
    return _timeline(
        request,
        selectors.statuses_by_hashtag(user=request.user, tag=hashtag.name),
        template="feeds/tag.html",
        context={"hashtag": hashtag},
    )


@require_GET
def department(request, slug: str):
    dept = get_object_or_404(profile_selectors.department_list(), slug=slug)
    return _timeline(
        request,
        selectors.statuses_of_department(user=request.user, department=dept),
        template="feeds/department.html",
        context={
            "department": dept,
            "members": profile_selectors.profile_list(department=dept.slug)[:12],
        },
    )


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:200]
    qs = selectors.status_search(user=request.user, q=q)
    try:
        statuses, next_cursor = keyset_page(qs, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    selectors.decorate(statuses, user=request.user)
    people = profile_selectors.profile_list(q=q)[:6] if q else []
    context = {"q": q, "statuses": statuses, "next_cursor": next_cursor, "people": people}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "feeds/_page.html", context)
    return render(request, "feeds/search.html", context)


# --- One status --------------------------------------------------------------------------------


@require_POST
def status_create(request):
    form = StatusForm(request.POST)
    if form.is_valid():
        ratelimit.hit("status", request.user.pk)
        try:
            community = None
            if form.community_slug():
                community = community_selectors.community_get_for_user(
                    user=request.user, slug=form.community_slug()
                )
            status = services.status_create(
                author=request.user, community=community, **form.status_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if request.htmx:
                status = selectors.status_get_for_user(user=request.user, status_id=status.pk)
                selectors.decorate([status], user=request.user)
                return render(
                    request,
                    "feeds/_composer_result.html",
                    {
                        "status": status,
                        "form": StatusForm(initial={"community": form.community_slug()}),
                    },
                )
            messages.success(request, "Posted.")
            if status.community_id is not None:
                return redirect(status.community)
            return redirect("feeds:home")
    if request.htmx:
        return render(request, "feeds/_composer.html", {"form": form}, status=400)
    return render(request, "feeds/compose.html", {"form": form}, status=400)


MAX_CARDS = 50


@require_GET
def status_cards(request):
    """Rendered cards for `?ids=1,2,3` (the ones the viewer may see), newest first: the live
    stream inserts them when the reader asks for the new posts."""
    raw = request.GET.get("ids", "")
    ids = [pk for pk in map(parse_id, raw.split(",")[:MAX_CARDS]) if pk is not None]
    statuses = list(
        selectors.statuses_visible_to(user=request.user)
        .filter(pk__in=ids)
        .order_by("-created_at", "-id")
    )
    selectors.decorate(statuses, user=request.user)
    return render(request, "feeds/_cards.html", {"statuses": statuses})


@require_GET
def status_detail(request, status_id: int):
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    selectors.decorate([status], user=request.user)
    comments = [] if status.is_removed else list(selectors.comments_for(status=status))
    selectors.decorate_comments(comments)
    return render(
        request,
        "feeds/status_detail.html",
        {
            "status": status,
            "comments": comments,
            "comment_form": CommentForm(),
            "announcement_form": AnnouncementForm(),
            "viewer_can_announce": can_moderate_status(request.user, status)
            if status.community_id is not None
            else can_announce(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def status_edit(request, status_id: int):
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    if status.author_id != request.user.pk or status.is_removed:
        raise PermissionDenied("Only its author can edit a status.")
    form = EditForm(
        request.POST or None,
        initial={"body": status.body},
        attachments=attachments_of(status),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.status_update(actor=request.user, status=status, **form.update_arguments())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Your update is edited; the earlier version stays visible.")
            return redirect(status)
    return render(
        request,
        "feeds/status_edit.html",
        {"status": status, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def status_delete(request, status_id: int):
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    try:
        services.status_delete(actor=request.user, status=status)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Removed. A note stays in its place.")
    return redirect(safe_next(request, status.get_absolute_url()))


@require_GET
def status_history(request, status_id: int):
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    revisions = [] if status.is_removed else list(selectors.status_history(status=status))
    return render(request, "feeds/status_history.html", {"status": status, "revisions": revisions})


@require_POST
def comment_create(request, status_id: int):
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        ratelimit.hit("comment", request.user.pk)
        try:
            comment = services.comment_create(
                author=request.user,
                status=status,
                body=form.cleaned_data["body"],
                attachments=form.attachment_ids(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if request.htmx:
                comment = selectors.comments_for(status=status).get(pk=comment.pk)
                selectors.decorate_comments([comment])
                return render(
                    request,
                    "feeds/_comment_result.html",
                    {"comment": comment, "status": status, "comment_form": CommentForm()},
                )
            return redirect(f"{status.get_absolute_url()}#comment-{comment.pk}")
    if request.htmx:
        return render(
            request,
            "feeds/_comment_form.html",
            {"status": status, "comment_form": form},
            status=400,
        )
    selectors.decorate([status], user=request.user)
    return render(
        request,
        "feeds/status_detail.html",
        {
            "status": status,
            "comments": [] if status.is_removed else list(selectors.comments_for(status=status)),
            "comment_form": form,
            "announcement_form": AnnouncementForm(),
            "viewer_can_announce": can_moderate_status(request.user, status)
            if status.community_id is not None
            else can_announce(request.user),
        },
        status=400,
    )


@require_POST
def react(request, status_id: int):
    """Toggle one kind of reaction: `kind` and `action` (add or remove)."""
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    kind = request.POST.get("kind", "")
    try:
        if request.POST.get("action") == "remove":
            services.reaction_remove(user=request.user, status=status, kind=kind)
        else:
            services.reaction_add(user=request.user, status=status, kind=kind)
    except ValidationError as exc:
        if request.htmx:
            selectors.decorate([status], user=request.user)
            return render(request, "feeds/_reactions.html", {"status": status}, status=400)
        messages.error(request, exc.messages[0])
        return redirect(safe_next(request, status.get_absolute_url()))
    if request.htmx:
        selectors.decorate([status], user=request.user)
        return render(request, "feeds/_reactions.html", {"status": status})
    return redirect(safe_next(request, status.get_absolute_url()))


@require_POST
def poll_vote(request, status_id: int):
    """Vote in the poll of a status: one `option`, or several in a multiple-choice poll."""
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    error = None
    try:
        polls.poll_vote(user=request.user, status=status, option_ids=request.POST.getlist("option"))
    except ValidationError as exc:
        error = exc.messages[0]
    if request.htmx:
        selectors.decorate([status], user=request.user)
        if status.poll_data is None:  # removed since the page was loaded: no poll to show
            message = error or "This poll is no longer shown."
            return HttpResponse(
                format_html('<p class="poll__error" role="alert">{}</p>', message), status=400
            )
        return render(
            request,
            "feeds/_poll.html",
            {"status": status, "poll_error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your vote is counted.")
    return redirect(safe_next(request, status.get_absolute_url()))


@require_POST
def announce(request, status_id: int):
    status = selectors.status_get_for_user(user=request.user, status_id=status_id)
    form = AnnouncementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid date.")
        return redirect(status)
    until = form.cleaned_data.get("until")
    until_dt = timezone.make_aware(datetime.combine(until, time.max)) if until is not None else None
    try:
        services.status_announce(
            actor=request.user, status=status, pinned=form.cleaned_data["pinned"], until=until_dt
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if status.community_id is not None:
            pinned = status.pinned_in_community
            messages.success(request, "Pinned in the community." if pinned else "Unpinned.")
        else:
            messages.success(
                request, "Pinned for everyone." if status.is_announcement else "Unpinned."
            )
    return redirect(safe_next(request, status.get_absolute_url()))


# --- Moderation and reports -----------------------------------------------------------------


def _target(request, kind: str, pk: int) -> tuple[Status, Comment | None]:
    if kind == "comment":
        comment = Comment.objects.filter(pk=pk).select_related("author__profile").first()
        if comment is None:
            raise Http404("No such comment.")
        status = selectors.status_get_for_user(user=request.user, status_id=comment.status_id)
        return status, comment
    return selectors.status_get_for_user(user=request.user, status_id=pk), None


@require_http_methods(["GET", "POST"])
def moderate(request, kind: str, pk: int):
    if not may_moderate_somewhere(request.user):
        raise PermissionDenied("Only moderators moderate.")
    status, comment = _target(request, kind, pk)
    if not can_moderate_status(request.user, status):
        raise PermissionDenied("Only moderators moderate.")
    form = ModerationForm(request.POST or None, initial={"action": request.GET.get("action")})
    if request.method == "POST" and form.is_valid():
        try:
            services.moderation_apply(
                moderator=request.user,
                status=status,
                comment=comment,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Done. The action is listed in the moderation log.")
            return redirect(status)
    return render(
        request,
        "feeds/moderate.html",
        {"status": status, "comment": comment, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def report(request, kind: str, pk: int):
    status, comment = _target(request, kind, pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "What is wrong with it?"
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                status=None if comment else status,
                comment=comment,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Thank you. A moderator will look at it.")
            return redirect(status)
    return render(
        request,
        "feeds/report.html",
        {"status": status, "comment": comment, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def moderation_log(request):
    try:
        entries, next_cursor = keyset_page(
            selectors.moderation_log(user=request.user), cursor=request.GET.get("cursor"), size=50
        )
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    return render(
        request, "feeds/moderation_log.html", {"entries": entries, "next_cursor": next_cursor}
    )


@require_GET
def moderation_reports(request):
    if not can_moderate(request.user):
        raise PermissionDenied("Only moderators see reports.")
    return render(
        request, "feeds/moderation_reports.html", {"reports": selectors.open_reports()[:200]}
    )


@require_POST
def report_dismiss(request, report_id: int):
    if not can_moderate(request.user):
        raise PermissionDenied("Only moderators handle reports.")
    item = get_object_or_404(Report, pk=report_id, resolved_at__isnull=True)
    services.report_dismiss(moderator=request.user, report=item)
    messages.success(request, "Report dismissed.")
    return redirect("feeds:moderation-reports")
