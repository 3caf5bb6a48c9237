from django.contrib import admin

from .models import KeyTask, KeyTaskLeadUnit, KeyTaskMeasure


class KeyTaskLeadUnitInline(admin.TabularInline):
    model = KeyTaskLeadUnit
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["department"]


class KeyTaskMeasureInline(admin.StackedInline):
    model = KeyTaskMeasure
    extra = 0
    ordering = ["number"]


@admin.register(KeyTask)
class KeyTaskAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "category", "deadline", "lead_units_as_written"]
    list_filter = ["category", "deadline"]
    search_fields = ["name", "name_en", "annual_goal"]
    inlines = [KeyTaskLeadUnitInline, KeyTaskMeasureInline]


@admin.register(KeyTaskMeasure)
class KeyTaskMeasureAdmin(admin.ModelAdmin):
    list_display = ["key_task", "number", "is_numbered", "text"]
    list_filter = ["key_task"]
    search_fields = ["text", "text_en"]
    list_select_related = ["key_task"]
