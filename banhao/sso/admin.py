from django.contrib import admin

from .models import ProviderLink


@admin.register(ProviderLink)
class ProviderLinkAdmin(admin.ModelAdmin):
    """Which account each unified-login identity signs in to. Read-only: links are made by
    signing in, and removed (to let an identity link anew) only by deleting them here."""

    list_display = ["user", "issuer", "created_at", "last_login_at"]
    list_filter = ["issuer"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_login_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
