from django.contrib import admin

from .models import MachineCall, MachineClient


@admin.register(MachineClient)
class MachineClientAdmin(admin.ModelAdmin):
    # Created and rotated through `banhao clients` (services.py; the secret is shown once,
    # there): read-only here.
    list_display = ["code", "name", "department", "region", "is_active", "created_at"]
    list_filter = ["is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MachineCall)
class MachineCallAdmin(admin.ModelAdmin):
    list_display = ["at", "client", "client_id_used", "scope", "operation", "object_id", "outcome"]
    list_filter = ["outcome", "scope", "client"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
