"""Pages of "Ask leadership". Every action works as a plain form post and, with htmx, in place."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import form_errors
from core.pagination import BadCursor, keyset_page
from core.ratelimit import RateLimited
from feeds.models import MAX_LENGTH, MAX_REASON
from feeds.views import vote_toggle

from . import selectors, services
from .blog_views import author_choices, chosen_author
from .models import BODY_MAX, Question
from .permissions import can_answer, can_moderate_questions, writes_for_anyone

PAGE_SIZE = 20
SORT_LABELS = {"votes": "Most votes", "recent": "Newest"}
FILTER_LABELS = {"false": "Unanswered", "true": "Answered", "": "All"}


class QuestionForm(forms.Form):
    body = forms.CharField(
        label="Your question to leadership",
        max_length=BODY_MAX,
        strip=False,
        help_text="10 to 500 characters. Colleagues can upvote it; an executive answers publicly.",
        widget=forms.Textarea(attrs={"rows": 3, "minlength": 10}),
    )
    anonymous = forms.BooleanField(
        label="Ask anonymously",
        required=False,
        help_text="Your name is never shown with this question: not to colleagues, executives, "
        "moderators or administrators. It is kept only to limit how many questions one person "
        "asks an hour.",
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer (Markdown)",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, authors: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if authors:
            # A delegate answers as an executive (the answer says "posted by you on behalf").
            self.fields["author"] = forms.ChoiceField(
                label="Answer as",
                choices=authors,
                help_text="The answer shows this executive, and “posted by you on their "
                "behalf”. They are notified.",
            )
            self.order_fields(["author"])


class QuestionModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("hide", "Hide the question"),
            ("restore", "Restore the question"),
            ("merge", "Merge it into an earlier question"),
        ]
    )
    into = forms.IntegerField(
        label="Duplicate of question number (for a merge)", required=False, min_value=1
    )
    reason = forms.CharField(
        label="Reason (shown to everyone)",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _list_params(request) -> tuple[str, str]:
    sort = request.GET.get("sort", "votes")
    sort = sort if sort in SORT_LABELS else "votes"
    answered = request.GET.get("answered", "")
    answered = answered if answered in FILTER_LABELS else ""
    return sort, answered


def _list_page(request, form: QuestionForm, *, status: int = 200):
    sort, answered = _list_params(request)
    qs = selectors.question_list(sort=sort, answered=selectors.parse_answered(answered))
    try:
        questions, next_cursor = keyset_page(qs, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    selectors.decorate(questions, user=request.user)
    return render(
        request,
        "exec_blog/questions.html",
        {
            "form": form,
            "questions": questions,
            "next_cursor": next_cursor,
            "sort": sort,
            "answered": answered,
            "sorts": SORT_LABELS,
            "filters": FILTER_LABELS,
        },
        status=status,
    )


@require_GET
def question_list(request):
    return _list_page(request, QuestionForm())


@require_POST
def question_create(request):
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = services.question_create(asker=request.user, **form.cleaned_data)
        except RateLimited as exc:
            form_errors(form, exc)
            response = _list_page(request, form, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Your question is up. Colleagues can now upvote it.")
            return redirect(question)
    return _list_page(request, form, status=400)


def _detail(request, question: Question, *, answer_form=None, status: int = 200):
    selectors.decorate([question], user=request.user)
    initial = None
    if question.is_answered:
        initial = {"body": question.answer_body, "author": question.answered_by.username}
    return render(
        request,
        "exec_blog/question_detail.html",
        {
            "question": question,
            "answer_form": answer_form
            or AnswerForm(initial=initial, authors=author_choices(request.user)),
            "viewer_can_answer": can_answer(request.user) or writes_for_anyone(request.user),
            "viewer_can_moderate": can_moderate_questions(request.user),
        },
        status=status,
    )


@require_GET
def question_detail(request, question_id: int):
    return _detail(request, selectors.question_get(question_id=question_id))


@require_POST
def question_vote(request, question_id: int):
    return vote_toggle(
        request,
        target=selectors.question_get(question_id=question_id),
        vote=services.question_vote,
        unvote=services.question_unvote,
        decorate=selectors.decorate,
        template="exec_blog/_vote.html",
        name="question",
    )


@require_POST
def question_answer(request, question_id: int):
    if not (can_answer(request.user) or writes_for_anyone(request.user)):
        raise PermissionDenied("Only executives and their delegates answer questions.")
    question = selectors.question_get(question_id=question_id)
    form = AnswerForm(request.POST, authors=author_choices(request.user))
    if form.is_valid():
        try:
            services.question_answer(
                executive=chosen_author(request, form),
                question=question,
                body=form.cleaned_data["body"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Answer published. The asker and the voters are notified.")
            return redirect(question)
    return _detail(request, question, answer_form=form, status=400)


@require_http_methods(["GET", "POST"])
def question_moderate(request, question_id: int):
    if not can_moderate_questions(request.user):
        raise PermissionDenied("Only moderators moderate.")
    question = selectors.question_get(question_id=question_id)
    form = QuestionModerationForm(
        request.POST or None, initial={"action": request.GET.get("action")}
    )
    if request.method == "POST" and form.is_valid():
        into_id = form.cleaned_data.get("into")
        into = Question.objects.filter(pk=into_id).first() if into_id else None
        try:
            if into_id and into is None:
                raise ValidationError({"into": "No such question."})
            services.question_moderate(
                moderator=request.user,
                question=question,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                into=into,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Done. The action is listed in the moderation log.")
            return redirect(question)
    selectors.decorate([question], user=request.user)
    return render(
        request,
        "exec_blog/moderate.html",
        {"question": question, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
