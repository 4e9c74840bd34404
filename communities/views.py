"""Community pages: the list, a new community, its members and its settings. The community's
own page (/c/<slug>/, its feed) is feeds' (it is made of statuses)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.forms import form_errors
from core.pagination import BadCursor, keyset_page
from profiles.models import Department

from . import selectors, services
from .models import MAX_DESCRIPTION, MAX_NAME, JoinPolicy, Visibility
from .permissions import can_create, can_manage

PAGE_SIZE = 30


class CommunityForm(forms.Form):
    name = forms.CharField(label="Name", max_length=MAX_NAME)
    description = forms.CharField(
        label="What it is for",
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=Visibility.choices,
        initial=Visibility.OPEN,
        widget=forms.RadioSelect,
    )
    join_policy = forms.ChoiceField(
        label="Who can join",
        choices=JoinPolicy.choices,
        initial=JoinPolicy.OPEN,
        widget=forms.RadioSelect,
    )


class NewCommunityForm(CommunityForm):
    slug = forms.SlugField(
        label="Address",
        max_length=50,
        required=False,
        help_text="/c/<address>/: lower-case letters, digits and hyphens. "
        "Left empty, it is made from the name. It does not change later.",
    )
    field_order = ["name", "slug", "description", "visibility", "join_policy"]


class PictureForm(forms.Form):
    picture = forms.ImageField(label="Picture (square works best; at most 5 MB)")


class InviteForm(forms.Form):
    username = forms.CharField(label="Invite someone by username", max_length=150)


class DepartmentForm(forms.Form):
    department = forms.ModelChoiceField(
        label="Add everyone in a department",
        queryset=Department.objects.order_by("name"),
        to_field_name="slug",
    )


@require_GET
def community_list(request):
    q = request.GET.get("q", "").strip()[:100]
    mine = request.GET.get("mine") == "1"
    qs = selectors.communities_for(user=request.user, q=q, mine=mine)
    try:
        communities, next_cursor = keyset_page(qs, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    return render(
        request,
        "communities/list.html",
        {
            "communities": communities,
            "next_cursor": next_cursor,
            "q": q,
            "mine": mine,
            "can_create": can_create(request.user),
            "nav_section": "communities",
        },
    )


@require_http_methods(["GET", "POST"])
def community_new(request):
    if not can_create(request.user):
        raise PermissionDenied("Creating communities is limited to a group in this company.")
    form = NewCommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit("community", request.user.pk)
            community = services.community_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{community.name} is ready. Invite people to join it.")
            return redirect(community)
    return render(
        request,
        "communities/new.html",
        {"form": form, "nav_section": "communities"},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def members(request, slug: str):
    community = selectors.community_get_readable(user=request.user, slug=slug)
    manager = can_manage(community.my_membership)
    context = {
        "community": community,
        "membership": community.my_membership,
        "can_manage": manager,
        "members": list(selectors.members_of(community=community)[:500]),
        "nav_section": "communities",
    }
    if manager:
        context.update(
            {
                "requests": list(selectors.members_of(community=community, states=("requested",))),
                "invited": list(selectors.members_of(community=community, states=("invited",))),
                "invite_form": InviteForm(),
                "department_form": DepartmentForm(),
            }
        )
    return render(request, "communities/members.html", context)


@require_http_methods(["GET", "POST"])
def settings_page(request, slug: str):
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    if not can_manage(community.my_membership):
        raise PermissionDenied("Only the community's owners and admins change its settings.")
    initial = {
        "name": community.name,
        "description": community.description,
        "visibility": community.visibility,
        "join_policy": community.join_policy,
    }
    form = CommunityForm(
        request.POST if request.POST.get("form") == "settings" else None, initial=initial
    )
    picture_form = PictureForm(
        request.POST if request.POST.get("form") == "picture" else None,
        request.FILES if request.POST.get("form") == "picture" else None,
    )
    if request.method == "POST":
        bound = form if form.is_bound else picture_form
        if bound.is_valid():
            try:
                if bound is form:
                    services.community_update(
                        actor=request.user, community=community, **form.cleaned_data
                    )
                else:
                    services.community_picture_set(
                        actor=request.user,
                        community=community,
                        upload=picture_form.cleaned_data["picture"],
                    )
            except ValidationError as exc:
                form_errors(bound, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("communities:settings", slug=community.slug)
    invalid = request.method == "POST" and (form.errors or picture_form.errors)
    return render(
        request,
        "communities/settings.html",
        {
            "community": community,
            "form": form,
            "picture_form": picture_form,
            "nav_section": "communities",
        },
        status=400 if invalid else 200,
    )


@require_GET
def picture(request, slug: str):
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    if not community.picture:
        raise Http404("No picture.")
    try:
        response = FileResponse(community.picture.open("rb"), content_type="image/webp")
    except FileNotFoundError as exc:
        raise Http404("No picture.") from exc
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def membership(request, slug: str):
    """Join, ask, accept (`action=join`); leave, withdraw, decline (`action=leave`)."""
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    action = request.POST.get("action")
    if action not in ("join", "leave"):
        return HttpResponse("Unknown action.", status=400)
    ratelimit.hit("membership", request.user.pk)
    try:
        if action == "join":
            result = services.membership_join(actor=request.user, community=community)
            messages.success(
                request,
                f"Welcome to {community.name}."
                if result.state == "active"
                else "Your request is sent: an admin will answer it.",
            )
        else:
            services.membership_leave(actor=request.user, community=community)
            messages.success(request, f"You are no longer in {community.name}.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(community)
    if action == "leave" and community.visibility == "secret":
        return redirect("communities:list")
    return redirect(community)


@require_POST
def member_action(request, slug: str, username: str):
    """Owners and admins: approve, decline, remove, make admin/member/owner, invite."""
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    action = request.POST.get("action", "")
    back = redirect("communities:members", slug=community.slug)
    if action == "invite":
        username = request.POST.get("username", "").strip()
    if action == "department":
        department = Department.objects.filter(slug=request.POST.get("department", "")).first()
        if department is None:
            messages.error(request, "Choose a department.")
            return back
    elif action not in ("approve", "decline", "remove", "invite", "owner", "admin", "member"):
        return HttpResponse("Unknown action.", status=400)
    ratelimit.hit("membership", request.user.pk)
    try:
        if action == "department":
            added = services.department_add(
                actor=request.user, community=community, department=department
            )
            messages.success(
                request,
                f"Added {added} people from {department.name}."
                if added
                else f"Everyone in {department.name} is being added; it takes a moment.",
            )
        elif action in ("decline", "remove"):
            services.member_remove(actor=request.user, community=community, username=username)
            messages.success(request, "Done.")
        elif action == "approve":
            services.member_put(
                actor=request.user, community=community, username=username, state="active"
            )
            messages.success(request, f"{username} is now a member.")
        elif action == "invite":
            services.member_put(
                actor=request.user, community=community, username=username, state="invited"
            )
            messages.success(request, f"{username} is invited.")
        else:
            services.member_put(
                actor=request.user, community=community, username=username, role=action
            )
            messages.success(request, f"{username} is now {action}.")
    except Http404:
        messages.error(request, f"There is no active colleague called “{username}”.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return back
