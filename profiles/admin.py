from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin import ReadOnlyAdmin

from . import services
from .models import Department, Follow, Profile, RoleChange, Skill, User


class ProfileAdminForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "title", "department", "manager", "location", "pronouns"]

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        if (
            manager is not None
            and self.instance.pk
            and services.manager_chain_would_cycle(profile=self.instance, manager=manager)
        ):
            raise forms.ValidationError("This would make someone their own manager.")
        return manager


class ProfileInline(admin.StackedInline):
    model = Profile
    form = ProfileAdminForm
    can_delete = False
    autocomplete_fields = ["manager", "department"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "profile_name", "is_active", "is_staff", "role_list"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "profile__department"]
    search_fields = ["username", "email", "profile__display_name"]
    list_select_related = ["profile"]
    # Whether the person may manage their own email addresses (profiles.login_identity).
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Sign-in", {"fields": ["signed_up_by_self"]}))

    @admin.display(description="name", ordering="profile__display_name")
    def profile_name(self, obj: User) -> str:
        return obj.profile.display_name if hasattr(obj, "profile") else ""

    @admin.display(description="roles")
    def role_list(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        # Remember the roles as they were, to record what this save changes.
        obj._roles_before = services.role_names_of(User.objects.get(pk=obj.pk)) if obj.pk else set()
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" ends the sessions now (and so the sockets), as SCIM does.
            services.user_sessions_end(user=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if change:  # the username, or the profile inline: on every card of theirs
            services.profile_card_changed(user_ids=[user.pk])
        services.role_changes_record(
            actor=request.user,
            user=user,
            before=getattr(user, "_roles_before", set()),
            after=services.role_names_of(user),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Profile:
            return super().save_formset(request, form, formset, change)
        before = {
            p.pk: p.manager_id
            for p in Profile.objects.filter(
                pk__in=[f.instance.pk for f in formset if f.instance.pk]
            )
        }
        super().save_formset(request, form, formset, change)
        for profile in Profile.objects.filter(user=form.instance):
            if before.get(profile.pk) is None and profile.manager_id is not None:
                services.follow_onboarding(profile=profile)
        return None


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ["display_name", "user", "title", "department", "manager"]
    list_filter = ["department"]
    search_fields = ["display_name", "user__username", "title"]
    autocomplete_fields = ["manager", "department"]
    list_select_related = ["user", "department", "manager"]

    def save_model(self, request, obj, form, change):
        previous = Profile.objects.filter(pk=obj.pk).values_list("manager_id", flat=True).first()
        super().save_model(request, obj, form, change)
        services.profile_card_changed(user_ids=[obj.user_id])
        if previous is None and obj.manager_id is not None:
            services.follow_onboarding(profile=obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.department_card_changed(department=obj)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "created_at"]
    raw_id_fields = ["follower", "followee"]


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail of who gave or took which role from whom, and when."""

    list_display = ["created_at", "user", "role", "action", "actor"]
    list_filter = ["role", "action"]
    search_fields = ["user__username", "actor__username"]
    list_select_related = ["user", "actor"]
