"""Pages of the executive blog: the list, a post, the editor and a post's history."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attachments.selectors import attachments_decorate
from core.forms import form_errors
from core.pagination import BadCursor, keyset_page
from feeds import selectors as feed_selectors
from feeds.views import CommentForm
from profiles.models import User

from . import delegates, selectors, services
from .models import POST_BODY_MAX, SUMMARY_MAX, TITLE_MAX, BlogPost
from .permissions import can_edit_post, can_have_delegates, can_write_post, writes_for_anyone

PAGE_SIZE = 20
MAX_IMAGES_PER_SAVE = 10


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input; each is validated by its content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_IMAGES_PER_SAVE:
            raise forms.ValidationError(f"At most {MAX_IMAGES_PER_SAVE} images at a time.")
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class PostForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    summary = forms.CharField(
        max_length=SUMMARY_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label="Body (Markdown: headings, lists, quotes, code, tables)",
        max_length=POST_BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
    )
    tags = forms.CharField(label="Tags (comma-separated)", required=False, max_length=500)
    status = forms.ChoiceField(choices=BlogPost.State.choices, initial="draft")
    publish_at = forms.DateTimeField(
        label="Publish at (empty: now)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    images = MultipleImageField(
        label="Images (JPEG, PNG, GIF or WebP, up to 5 MB each)", required=False
    )

    def __init__(self, *args, authors: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if authors:
            # A delegate chooses whom they write as (the post shows that executive as author).
            self.fields["author"] = forms.ChoiceField(
                label="Write as",
                choices=authors,
                help_text="The post shows this executive as its author, and “posted by you on "
                "their behalf”. They are notified of every save.",
            )
            self.order_fields(["author"])

    def cleaned_post(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("images", None)
        data.pop("author", None)
        data["tags"] = [t for t in (data.get("tags") or "").replace(" ", ",").split(",") if t]
        return data


def author_choices(user) -> list[tuple[str, str]]:
    """Whom `user` may write as: themselves (an executive), then the executives they write for.
    Empty when they write only as themselves (the form then has no choice to make)."""
    served = list(delegates.executives_served_by(user=user))
    if not served:
        return []
    own = [(user.username, "Myself")] if can_write_post(user) else []
    return own + [
        (executive.username, f"{executive.profile.display_name or executive.username}")
        for executive in served
    ]


def chosen_author(request, form) -> User:
    username = form.cleaned_data.get("author")
    if not username or username == request.user.username:
        return request.user
    return User.objects.get(username=username)  # one of the form's choices


@require_GET
def post_list(request):
    try:
        posts, next_cursor = keyset_page(
            selectors.posts_published(), cursor=request.GET.get("cursor"), size=PAGE_SIZE
        )
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    unpublished = []
    viewer_can_write = can_write_post(request.user) or writes_for_anyone(request.user)
    if viewer_can_write and not request.GET.get("cursor"):
        unpublished = list(selectors.posts_unpublished_by(user=request.user))
    return render(
        request,
        "blog/posts.html",
        {
            "posts": posts,
            "next_cursor": next_cursor,
            "unpublished": unpublished,
            "viewer_can_write": viewer_can_write,
        },
    )


def _editor(request, form, *, post=None, status=200):
    images = list(selectors.post_images(post=post)) if post is not None else []
    return render(
        request,
        "blog/post_form.html",
        {"form": form, "post": post, "images": images},
        status=status,
    )


def _attach_images(request, post: BlogPost, files) -> None:
    """Attach the uploaded images to the saved post; a refused one is reported, not fatal."""
    for upload in files:
        try:
            services.post_image_add(actor=request.user, post=post, upload=upload)
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            messages.error(request, f"“{upload.name}” was not added: {reason}")


def _after_save(request, post: BlogPost, files):
    messages.success(request, "Saved.")
    if files:
        _attach_images(request, post, files)
        # Back to the editor, which lists the Markdown to paste for each image.
        return redirect("blog:edit", slug=post.slug)
    return redirect(post)


@require_http_methods(["GET", "POST"])
def post_create(request):
    if not (can_write_post(request.user) or writes_for_anyone(request.user)):
        raise PermissionDenied("Only executives and their delegates write blog posts.")
    bound = request.method == "POST"
    form = PostForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        authors=author_choices(request.user),
    )
    if bound and form.is_valid():
        try:
            post = services.post_create(
                author=chosen_author(request, form), actor=request.user, **form.cleaned_post()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _after_save(request, post, form.cleaned_data["images"])
    return _editor(request, form, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def post_edit(request, slug: str):
    post = selectors.post_get_for_user(user=request.user, slug=slug)
    if not can_edit_post(request.user, post):
        raise PermissionDenied("Only its author or their delegates can edit a post.")
    initial = {
        "title": post.title,
        "summary": post.summary,
        "body": post.body,
        "tags": ", ".join(t.name for t in post.tags.all()),
        "status": post.status,
        "publish_at": post.publish_at,
    }
    bound = request.method == "POST"
    form = PostForm(
        request.POST if bound else None, request.FILES if bound else None, initial=initial
    )
    if bound and form.is_valid():
        data = form.cleaned_post()
        if data["publish_at"] is None and post.publish_at is not None:
            data["publish_at"] = post.publish_at
        try:
            services.post_update(actor=request.user, post=post, **data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _after_save(request, post, form.cleaned_data["images"])
    return _editor(request, form, post=post, status=400 if form.is_bound else 200)


@require_GET
def post_detail(request, slug: str):
    post = selectors.post_get_for_user(user=request.user, slug=slug)
    attachments_decorate([post])
    services.post_read(user=request.user, post=post)
    card, comments = None, []
    if post.card_id and post.is_live:
        card = feed_selectors.status_base_qs().get(pk=post.card_id)
        feed_selectors.decorate([card], user=request.user)
        if not card.is_removed:
            comments = feed_selectors.decorate_comments(
                list(feed_selectors.comments_for(status=card))
            )
    return render(
        request,
        "blog/post_detail.html",
        {
            "post": post,
            "status": card,
            "comments": comments,
            "comment_form": CommentForm(),
            "viewer_can_edit": can_edit_post(request.user, post),
        },
    )


@require_GET
def post_history(request, slug: str):
    post = selectors.post_get_for_user(user=request.user, slug=slug)
    return render(
        request,
        "blog/post_history.html",
        {"post": post, "revisions": list(selectors.post_history(post=post))},
    )


@require_GET
def image(request, image_id: int):
    """An image of a post, for logged-in people who may see the post (404 alike otherwise)."""
    blog_image = selectors.image_get_for_user(user=request.user, image_id=image_id)
    try:
        response = FileResponse(blog_image.file.open("rb"), content_type="image/webp")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("No such image.") from exc
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- Delegates (the executive's card on their profile page: exec_blog.hooks_receivers) -------


class DelegateForm(forms.Form):
    username = forms.CharField(label="Colleague's username", max_length=150)


@require_POST
def delegate_add(request):
    if not can_have_delegates(request.user):
        raise PermissionDenied("Only executives name delegates.")
    form = DelegateForm(request.POST)
    if form.is_valid():
        username = form.cleaned_data["username"].strip().lstrip("@")
        person = User.objects.select_related("profile").filter(username=username).first()
        if person is None:
            messages.error(request, f"Nobody is called “{username}”.")
        else:
            try:
                _, created = delegates.delegate_add(executive=request.user, delegate=person)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if created:
                    messages.success(
                        request, f"{username} can now write blog posts and answers for you."
                    )
    else:
        messages.error(request, "Give a colleague's username.")
    return redirect("profiles:detail", username=request.user.username)


@require_POST
def delegate_remove(request, username: str):
    if not can_have_delegates(request.user):
        raise PermissionDenied("Only executives name delegates.")
    person = User.objects.filter(username=username).first()
    if person is None:
        raise Http404("No such person.")
    if delegates.delegate_remove(executive=request.user, delegate=person):
        messages.success(request, f"{username} no longer writes for you.")
    return redirect("profiles:detail", username=request.user.username)
