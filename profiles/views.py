import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import safe_next
from core.pagination import BadCursor, keyset_page

from . import hooks, selectors, services
from .models import Profile
from .permissions import roles_of

DIRECTORY_PAGE_SIZE = 24
FOLLOW_LIST_PAGE_SIZE = 50


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=100)
    title = forms.CharField(label="Job title", max_length=120, required=False)
    pronouns = forms.CharField(
        max_length=40, required=False, help_text="Optional, for example she/her or they/them."
    )
    location = forms.CharField(max_length=100, required=False)
    bio = forms.CharField(
        label="About you",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: **bold**, *italic*, [links](https://…), lists.",
    )
    skills = forms.CharField(
        label="Skills and expertise",
        required=False,
        max_length=1200,
        help_text="Separate with commas, for example: Python, negotiation, Spanish.",
    )
    avatar = forms.ImageField(
        label="Picture",
        required=False,
        help_text="JPEG, PNG, GIF or WebP, at most 2 MB. It is cropped square.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)

    def clean_skills(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data["skills"].split(",") if s.strip()]


@require_GET
def directory(request):
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "").strip()
    skill = request.GET.get("skill", "").strip()
    qs = selectors.profiles_annotate_following(
        selectors.profile_list(q=q, department=department, skill=skill), viewer=request.user
    )
    try:
        people, next_after = keyset_page(
            qs, cursor=request.GET.get("after"), size=DIRECTORY_PAGE_SIZE
        )
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    context = {
        "people": people,
        "next_after": next_after,
        "q": q,
        "department": department,
        "skill": skill,
        "departments": selectors.department_list(),
        "is_continuation": bool(request.GET.get("after")),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "profiles/_people_page.html", context)
    return render(request, "profiles/directory.html", context)


@require_GET
def profile_detail(request, username: str):
    profile = selectors.profile_for_page(username=username, viewer=request.user)
    context = {"posts": []}
    side_cards: list[dict] = []
    for extra in hooks.profile_page_context.send(viewer=request.user, profile=profile):
        # `side_cards`: cards for the side column, {"template": name, **its context}, from
        # each app that adds one (communities: the person's communities).
        side_cards.extend(extra.pop("side_cards", []))
        context.update(extra)
    context["side_cards"] = side_cards
    return render(
        request,
        "profiles/profile_detail.html",
        {
            **context,
            "profile": profile,
            "chain": list(reversed(selectors.management_chain(profile=profile))),
            "reports": selectors.direct_reports(profile=profile),
            "roles": roles_of(profile.user),
            "is_self": profile.user_id == request.user.pk,
            "followers_preview": selectors.followers_of(user=profile.user)[:8],
            "following_preview": selectors.following_of(user=profile.user)[:8],
        },
    )


@require_GET
def follow_list(request, username: str, direction: str):
    profile = selectors.profile_get(username=username)
    qs = (
        selectors.followers_of(user=profile.user)
        if direction == "followers"
        else selectors.following_of(user=profile.user)
    )
    qs = selectors.profiles_annotate_following(qs, viewer=request.user)
    try:
        people, next_after = keyset_page(
            qs, cursor=request.GET.get("after"), size=FOLLOW_LIST_PAGE_SIZE
        )
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    return render(
        request,
        "profiles/follow_list.html",
        {
            "profile": profile,
            "direction": direction,
            "people": people,
            "count": qs.count(),
            "next_after": next_after,
            "is_continuation": bool(request.GET.get("after")),
        },
    )


@require_POST
def follow_toggle(request, username: str):
    """Follow or unfollow from a page; htmx swaps the button, without JavaScript it redirects."""
    followee = selectors.user_get_active(username=username)
    if request.POST.get("action") == "unfollow":
        services.follow_delete(follower=request.user, followee=followee)
        following = False
    else:
        try:
            services.follow_create(follower=request.user, followee=followee)
        except ValidationError as exc:
            if request.htmx:
                return HttpResponse(escape(exc.messages[0]), status=400)
            messages.error(request, exc.messages[0])
            return redirect("profiles:detail", username=username)
        following = True
    if request.htmx:
        return render(
            request,
            "profiles/_follow_button.html",
            {"person": followee.profile, "is_following": following},
        )
    return redirect(safe_next(request, followee.profile.get_absolute_url()))


@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = services.profile_ensure(user=request.user)
    initial = {
        "display_name": profile.display_name,
        "title": profile.title,
        "pronouns": profile.pronouns,
        "location": profile.location,
        "bio": profile.bio,
        "skills": ", ".join(s.name for s in profile.skills.all()),
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                actor=request.user,
                profile=profile,
                display_name=data["display_name"],
                title=data["title"],
                pronouns=data["pronouns"],
                location=data["location"],
                bio=data["bio"],
                skills=data["skills"],
            )
            if data.get("avatar"):
                services.avatar_set(actor=request.user, profile=profile, upload=data["avatar"])
            elif data.get("remove_avatar"):
                services.avatar_remove(actor=request.user, profile=profile)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profiles:detail", username=request.user.username)
    return render(
        request,
        "profiles/profile_edit.html",
        {"form": form, "profile": profile},
        status=400 if form.is_bound and form.errors else 200,
    )


AVATAR_COLOURS = ["#1d4ed8", "#0f766e", "#7c3aed", "#b45309", "#be123c", "#4d7c0f", "#0369a1"]


@require_GET
def avatar(request, username: str):
    """An avatar for logged-in users only: the uploaded picture or generated initials (SVG)."""
    # Former employees keep their picture: it stands beside what they wrote.
    profile = Profile.objects.filter(user__username=username).first()
    if profile is None:
        raise Http404("No such person.")
    if profile.avatar:
        try:
            response = FileResponse(profile.avatar.open("rb"), content_type="image/webp")
        except FileNotFoundError as exc:
            raise Http404("No picture.") from exc
        response["Cache-Control"] = "private, max-age=86400"
        return response
    digest = hashlib.sha256(username.encode()).digest()
    colour = AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img">'
        f'<rect width="64" height="64" fill="{colour}"/>'
        '<text x="32" y="33" fill="#fff" font-family="system-ui,sans-serif" font-size="26" '
        f'font-weight="600" text-anchor="middle" dominant-baseline="central">'
        f"{escape(profile.initials)}</text></svg>"
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response
