"""Pages: the policy in force (every employee), the retention settings (Compliance and admins)
and legal holds (Compliance only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import form_errors

from . import selectors, services
from .models import COMMUNITY_KINDS, ContentKind
from .permissions import can_manage_holds, can_set_retention
from .retention_forms import HoldForm, RetentionForm, community_key

NAV = "compliance"


@require_GET
def policy(request):
    in_force = selectors.policy_in_force(user=request.user)
    return render(
        request,
        "governance/policy.html",
        {
            "kinds": [(kind, in_force.company[kind.value]) for kind in ContentKind],
            "community_rows": [
                (community, [(kind, days.get(kind.value)) for kind in COMMUNITY_KINDS])
                for community, days in in_force.communities
            ],
            "community_kinds": COMMUNITY_KINDS,
            "updated_at": in_force.updated_at,
            "last_run": selectors.last_run(),
            "can_set": can_set_retention(request.user),
        },
    )


def _initial(in_force) -> dict:
    initial = dict(in_force.company)
    for community, days in in_force.communities:
        for kind, value in days.items():
            initial[community_key(community.slug, kind)] = value
    return initial


@require_http_methods(["GET", "POST"])
def settings_page(request):
    if not can_set_retention(request.user):
        raise PermissionDenied("Only Compliance and administrators set retention policies.")
    in_force = selectors.policy_in_force(user=request.user)
    communities = [community for community, _ in in_force.communities]
    form = RetentionForm(request.POST or None, communities=communities, initial=_initial(in_force))
    if request.method == "POST" and form.is_valid():
        company, by_community = form.policy()
        try:
            services.retention_policies_set(
                actor=request.user, company=company, communities=by_community
            )
        except ValidationError as exc:
            _policy_errors(form, exc)
        else:
            messages.success(request, "The retention policy is saved; it applies from tonight.")
            return redirect("retention:settings")
    return render(
        request,
        "governance/retention_settings.html",
        {"form": form, "last_run": selectors.last_run()},
        status=400 if form.is_bound and form.errors else 200,
    )


def _policy_errors(form: RetentionForm, exc: ValidationError) -> None:
    """The service names fields `company.<kind>` and `communities.<slug>[.<kind>]`."""
    for name, errors in exc.message_dict.items():
        parts = name.split(".")
        field = None
        if parts[0] == "company" and len(parts) == 2:
            field = parts[1]
        elif parts[0] == "communities" and len(parts) >= 2:
            field = community_key(parts[1], parts[2]) if len(parts) == 3 else "new_community"
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def holds(request):
    if not can_manage_holds(request.user):
        raise PermissionDenied("Legal holds are for Compliance only.")
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hold = services.hold_place(
                actor=request.user,
                reason=form.cleaned_data["reason"],
                custodians=form.names("custodians"),
                communities=form.names("communities"),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Hold {hold.pk} is in place.")
            return redirect("retention:holds")
    return render(
        request,
        "governance/holds.html",
        {"form": form, "holds": list(selectors.holds_list()[:200])},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def hold_release(request, hold_id: int):
    if not can_manage_holds(request.user):
        raise PermissionDenied("Legal holds are for Compliance only.")
    hold = selectors.hold_get(hold_id=hold_id)
    try:
        services.hold_release(actor=request.user, hold=hold)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Hold {hold.pk} is released; retention resumes tonight.")
    return redirect("retention:holds")
