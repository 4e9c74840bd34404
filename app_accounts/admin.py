"""App accounts in the admin: create one (with its first token, shown once), make another
token, revoke tokens. The token itself is never stored: only its hash."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from communities.models import Community
from profiles.models import User

from . import services
from .models import AppAccount, AppToken


class AppAccountAddForm(forms.ModelForm):
    name = forms.CharField(max_length=services.MAX_NAME, help_text="Shown on its posts.")
    username = forms.CharField(
        max_length=150, required=False, help_text="Default: app-<name>. Never used to sign in."
    )
    picture = forms.ImageField(required=False)
    communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.order_by("name"), required=False
    )

    class Meta:
        model = AppAccount
        fields = ["may_post_company"]

    def clean(self):
        cleaned = super().clean()
        name = " ".join((cleaned.get("name") or "").split())
        username = (cleaned.get("username") or "").strip() or services.username_for(name)
        if User.objects.filter(username__iexact=username).exists():
            self.add_error("username", f"The user name “{username}” is taken.")
        picture = cleaned.get("picture")
        if picture:
            try:
                services.picture_check(picture)
            except ValidationError as exc:
                self.add_error("picture", exc.messages[0])
        return cleaned


class AppTokenInline(admin.TabularInline):
    model = AppToken
    extra = 0
    can_delete = False
    fields = ["prefix", "name", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AppAccount)
class AppAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "may_post_company", "created_at"]
    search_fields = ["user__username", "user__profile__display_name"]
    filter_horizontal = ["communities"]
    readonly_fields = ["user", "created_by", "created_at"]
    inlines = [AppTokenInline]
    actions = ["token_new", "tokens_revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AppAccountAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "username", "picture", "communities", "may_post_company"]
        return ["user", "communities", "may_post_company", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            app = services.app_account_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                username=form.cleaned_data.get("username") or "",
                communities=form.cleaned_data.get("communities") or [],
                may_post_company=form.cleaned_data.get("may_post_company", False),
                picture=form.cleaned_data.get("picture"),
            )
        except (ValidationError, PermissionDenied) as exc:
            raise forms.ValidationError(str(exc)) from None
        obj.pk = app.pk
        obj.user = app.user
        self._show_token(request, app, name="first token")

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def _show_token(self, request, app: AppAccount, *, name: str) -> None:
        _, token = services.app_token_create(actor=request.user, app=app, name=name)
        messages.warning(
            request,
            f"The API token of {app}: {token} — copy it now: it is not shown again. "
            "Send it as “Authorization: Bearer <token>”.",
        )

    @admin.action(description="Make a new token (shown once)")
    def token_new(self, request, queryset):
        with transaction.atomic():
            for app in queryset:
                self._show_token(request, app, name=f"made by {request.user.username}")

    @admin.action(description="Revoke every token")
    def tokens_revoke(self, request, queryset):
        tokens = AppToken.objects.filter(app__in=queryset)
        count = services.app_tokens_revoke(actor=request.user, tokens=tokens)
        self.message_user(request, f"{count} token(s) revoked.")


@admin.register(AppToken)
class AppTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "app", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["app", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke")
    def revoke(self, request, queryset):
        count = services.app_tokens_revoke(actor=request.user, tokens=queryset)
        self.message_user(request, f"{count} token(s) revoked.")
