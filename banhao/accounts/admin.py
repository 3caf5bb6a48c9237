from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import IdentityClaim, IdentityConflict, IdentityVerification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "full_name",
        "role",
        "department",
        "venue",
        "identity_method",
        "is_active",
    ]
    list_filter = ["role", "is_active", "identity_method", "department__level"]
    # Identity is set by verification (accounts.services.verify_identity), never typed here.
    readonly_fields = ["identity_verified_at", "identity_method", "identity_assurance"]
    search_fields = ["username", "full_name", "organisation_name"]
    autocomplete_fields = ["department", "venue"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("Banhao"),
            {
                "fields": [
                    "role",
                    "full_name",
                    "phone",
                    "organisation_name",
                    "department",
                    "venue",
                    "large_text",
                    "identity_verified_at",
                    "identity_method",
                    "identity_assurance",
                ]
            },
        ),
    ]


class _ReadOnly(admin.ModelAdmin):
    """Records written by the verification service: listed, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdentityConflict)
class IdentityConflictAdmin(admin.ModelAdmin):
    """False identity claims, flagged for the security administrator."""

    list_display = [
        "created_at",
        "masked",
        "kind",
        "claimant__username",
        "holder__username",
        "reviewed_at",
    ]
    list_filter = [("reviewed_at", admin.EmptyFieldListFilter), "kind"]
    search_fields = ["claimant__username", "holder__username"]
    readonly_fields = [
        "claim",
        "claimant",
        "holder",
        "kind",
        "masked",
        "created_at",
        "reviewed_at",
        "reviewed_by",
        "note",
    ]
    actions = ["mark_reviewed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark as reviewed"))
    def mark_reviewed(self, request, queryset):
        done = sum(
            services.review_identity_conflict(actor=request.user, conflict_id=pk)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, _("%(n)d conflicts marked as reviewed.") % {"n": done})


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(_ReadOnly):
    list_display = [
        "created_at",
        "user",
        "masked",
        "method",
        "assurance",
        "document_type",
        "authority",
        "verified_by",
        "venue",
    ]
    list_filter = ["method", "kind", "document_type", "authority"]
    search_fields = ["user__username"]


@admin.register(IdentityClaim)
class IdentityClaimAdmin(_ReadOnly):
    list_display = ["created_at", "user", "kind", "masked", "state", "resolved_at"]
    list_filter = ["state", "kind"]
    search_fields = ["user__username"]
    exclude = ["digest"]
