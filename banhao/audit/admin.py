from django.contrib import admin

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: audit records can be searched, never added, changed or deleted."""

    list_display = [
        "at",
        "actor_label",
        "actor_role",
        "action",
        "event_type",
        "object_type",
        "object_id",
        "ip_address",
    ]
    list_filter = ["action", "actor_role"]
    search_fields = ["event_type", "summary", "actor_label", "object_id", "subject_key"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
