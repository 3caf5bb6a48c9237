from django.contrib import admin

from . import workdays
from .models import WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        workdays.invalidate_overrides()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workdays.invalidate_overrides()
