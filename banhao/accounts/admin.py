from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "department", "venue", "is_active"]
    list_filter = ["role", "is_active", "department__level"]
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
                ]
            },
        ),
    ]
