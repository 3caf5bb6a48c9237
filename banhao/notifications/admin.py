from django.contrib import admin

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "address", "status", "attempts", "sent_at", "error"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    readonly_fields = [
        "recipient",
        "event_key",
        "kind",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
    ]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False
