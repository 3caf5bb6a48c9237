"""Configuration screens: categories, duty list, deadlines, supervision rules, weights, Open311
clients. Tickets are worked in the hotline pages, never edited here."""

from django.contrib import admin

from . import deadlines, dispatch
from .models import (
    Category,
    DeadlineRule,
    DutyAssignment,
    EvaluationSettings,
    Open311Client,
    SupervisionRule,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "parent", "default_type", "is_active")
    list_filter = ("parent", "is_active")
    search_fields = ("code", "name", "keywords")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        dispatch.reset()


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(admin.ModelAdmin):
    list_display = ("category", "town", "department", "source")
    list_filter = ("source", "town")
    autocomplete_fields = ("department",)
    search_fields = ("category__name", "department__name")


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("stage", "ticket_type", "urgency", "amount", "unit")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        deadlines.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        deadlines.invalidate()


@admin.register(SupervisionRule)
class SupervisionRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "trigger", "threshold", "level", "is_active")
    list_editable = ("is_active",)


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "weight_response",
        "weight_resolution",
        "weight_satisfaction",
        "weight_timeliness",
        "interview_last_places_months",
        "interview_satisfaction_below",
    )

    def has_add_permission(self, request):
        return not EvaluationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at")
