"""Pages of "Ideas". Every action works as a plain form post and, with htmx, in place."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.forms import form_errors
from core.pagination import BadCursor, keyset_page
from core.ratelimit import RateLimited
from feeds import selectors as feed_selectors
from feeds.views import CommentForm, vote_toggle

from . import selectors, services
from .models import DESCRIPTION_MAX, REASON_MAX, TITLE_MAX, TITLE_MIN, TRANSITIONS, Idea, IdeaState
from .permissions import can_decide, can_edit_idea

PAGE_SIZE = 20
WAITING_SHOWN = 5
SORT_LABELS = {"votes": "Most votes", "activity": "Recent activity", "new": "Newest"}


class IdeaForm(forms.Form):
    title = forms.CharField(
        max_length=TITLE_MAX,
        help_text=f"{TITLE_MIN} to {TITLE_MAX} characters: what should we do?",
        widget=forms.TextInput(attrs={"minlength": TITLE_MIN}),
    )
    description = forms.CharField(
        label="Description (Markdown)",
        max_length=DESCRIPTION_MAX,
        strip=False,
        help_text="What is the problem, what would you change, and who would it help? "
        "Mention colleagues with @name.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    tags = forms.CharField(
        label="Tags (comma-separated)",
        required=False,
        max_length=500,
        help_text="For example: office, tooling, onboarding.",
    )
    department = forms.ModelChoiceField(
        label="Department it concerns",
        queryset=selectors.departments(),
        required=False,
        empty_label="The whole company",
    )

    def cleaned_idea(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [t for t in (data.get("tags") or "").replace(" ", ",").split(",") if t]
        return data


class DecisionForm(forms.Form):
    state = forms.ChoiceField(label="New state", choices=IdeaState.choices)
    reason = forms.CharField(
        label="Reason (public, Markdown)",
        max_length=REASON_MAX,
        strip=False,
        help_text="Everyone can read it in the idea's history. The author, the voters and "
        "the commenters are notified.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the moves the table allows from here; the service checks again.
        self.fields["state"].choices = [
            (value, label) for value, label in IdeaState.choices if value in idea.next_states
        ]


def _list_params(request) -> dict:
    sort = request.GET.get("sort", "votes")
    state = request.GET.get("state", "")
    return {
        "sort": sort if sort in SORT_LABELS else "votes",
        "state": state if state in IdeaState.values else "",
        "department": request.GET.get("department", "").strip()[:100],
        "tag": request.GET.get("tag", "").strip().lstrip("#").lower()[:64],
    }


@require_GET
def idea_list(request):
    params = _list_params(request)
    try:
        ideas, next_cursor = keyset_page(
            selectors.idea_list(**params), cursor=request.GET.get("cursor"), size=PAGE_SIZE
        )
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    waiting = []
    if not request.GET.get("cursor"):
        waiting = list(selectors.ideas_waiting()[: WAITING_SHOWN + 1])
    selectors.decorate(ideas + waiting, user=request.user)
    filtered = bool(params["state"] or params["department"] or params["tag"])
    return render(
        request,
        "ideas/list.html",
        {
            "ideas": ideas,
            "next_cursor": next_cursor,
            "waiting": waiting[:WAITING_SHOWN],
            "more_waiting": len(waiting) > WAITING_SHOWN,
            "review_votes": settings.IDEAS_REVIEW_VOTES,
            "waiting_days": selectors.WAITING_DAYS,
            "sorts": SORT_LABELS,
            "states": IdeaState.choices,
            "departments": list(selectors.departments()),
            "filtered": filtered,
            "transitions": _transition_rows(),
            **params,
        },
    )


def _transition_rows() -> list[tuple[str, list[str]]]:
    return [
        (IdeaState(state).label, [IdeaState(s).label for s in targets])
        for state, targets in TRANSITIONS.items()
    ]


@require_http_methods(["GET", "POST"])
def idea_create(request):
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit("idea", request.user.pk)
            idea = services.idea_create(author=request.user, **form.cleaned_idea())
        except RateLimited as exc:
            # The form again, with what was typed and why it was refused.
            form_errors(form, exc)
            response = render(request, "ideas/form.html", {"form": form, "idea": None}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Your idea is up. Colleagues can now vote and discuss it.")
            return redirect(idea)
    return render(
        request,
        "ideas/form.html",
        {"form": form, "idea": None},
        status=400 if form.is_bound else 200,
    )


def _detail(request, idea: Idea, *, decision_form=None, status: int = 200):
    selectors.decorate([idea], user=request.user)
    card, comments = None, []
    if idea.card_id is not None:
        card = feed_selectors.status_base_qs().get(pk=idea.card_id)
        feed_selectors.decorate([card], user=request.user)
        if not card.is_removed:
            comments = feed_selectors.decorate_comments(
                list(feed_selectors.comments_for(status=card))
            )
    viewer_can_decide = can_decide(request.user) and not idea.is_removed and idea.next_states
    return render(
        request,
        "ideas/detail.html",
        {
            "idea": idea,
            "status": card,
            "comments": comments,
            "comment_form": CommentForm(),
            "history": [] if idea.is_removed else list(selectors.idea_history(idea=idea)),
            "revisions": [] if idea.is_removed else list(selectors.idea_revisions(idea=idea)),
            "viewer_can_edit": can_edit_idea(request.user, idea),
            "viewer_can_decide": viewer_can_decide,
            "decision_form": decision_form or DecisionForm(idea=idea),
        },
        status=status,
    )


@require_GET
def idea_detail(request, idea_id: int):
    return _detail(request, selectors.idea_get(idea_id=idea_id))


@require_http_methods(["GET", "POST"])
def idea_edit(request, idea_id: int):
    idea = selectors.idea_get(idea_id=idea_id)
    if not can_edit_idea(request.user, idea):
        raise PermissionDenied(services.edit_refusal(request.user, idea))
    initial = {
        "title": idea.title,
        "description": idea.description,
        "tags": ", ".join(t.name for t in idea.tags.all()),
        "department": idea.department_id,
    }
    form = IdeaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(actor=request.user, idea=idea, **form.cleaned_idea())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Saved. The earlier version stays readable on the page.")
            return redirect(idea)
    return render(
        request,
        "ideas/form.html",
        {"form": form, "idea": idea},
        status=400 if form.is_bound else 200,
    )


@require_POST
def idea_vote(request, idea_id: int):
    return vote_toggle(
        request,
        target=selectors.idea_get(idea_id=idea_id),
        vote=services.idea_vote,
        unvote=services.idea_unvote,
        decorate=selectors.decorate,
        template="ideas/_vote.html",
        name="idea",
    )


@require_POST
def idea_decide(request, idea_id: int):
    if not can_decide(request.user):
        raise PermissionDenied("Only executives decide on ideas.")
    idea = selectors.idea_get(idea_id=idea_id)
    form = DecisionForm(request.POST, idea=idea)
    if form.is_valid():
        try:
            services.idea_decide(executive=request.user, idea=idea, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                f"The idea is now {idea.get_state_display().lower()}. "
                "The author, the voters and the commenters are notified.",
            )
            return redirect(idea)
    return _detail(request, idea, decision_form=form, status=400)
