from django.contrib import admin, messages
from django.utils.translation import gettext as _

from . import definitions, services
from .models import (
    BundleVersion,
    FormField,
    ItemField,
    ItemMaterial,
    ItemRoute,
    ItemRule,
    Material,
    OneThing,
    OneThingItem,
    Question,
    ServiceItem,
    ServiceItemProfile,
)


class OneThingItemInline(admin.TabularInline):
    model = OneThingItem
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["item", "city_responsible", "county_responsible"]


@admin.register(OneThingItem)
class OneThingItemAdmin(admin.ModelAdmin):
    list_display = [
        "onething",
        "position",
        "item",
        "city_responsible_as_written",
        "county_responsible_as_written",
    ]
    list_filter = ["onething"]
    search_fields = ["item__name", "county_responsible_as_written", "city_responsible_as_written"]
    list_select_related = ["onething", "item"]
    autocomplete_fields = ["item", "city_responsible", "county_responsible"]


# --- definitions (issue 3): editable without code; saving a bundle publishes a new version ---


@admin.register(FormField)
class FormFieldAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "label_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["key", "label", "label_en"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "file_types", "max_size_mb", "record_kind"]
    list_filter = ["record_kind"]
    search_fields = ["code", "name", "name_en"]


class ProfileInline(admin.StackedInline):
    model = ServiceItemProfile
    extra = 0


class ItemFieldInline(admin.TabularInline):
    model = ItemField
    extra = 0
    autocomplete_fields = ["field"]


class ItemMaterialInline(admin.TabularInline):
    model = ItemMaterial
    extra = 0
    autocomplete_fields = ["material"]


class ItemRouteInline(admin.TabularInline):
    model = ItemRoute
    extra = 0
    autocomplete_fields = ["department"]


def _republish(request, onethings) -> None:
    """Publish every bundle touched by an edit; a broken definition is reported, not published."""
    for onething in onethings:
        try:
            version = services.publish_bundle(onething, actor=request.user)
        except definitions.DefinitionError as exc:
            messages.error(
                request,
                _("%(bundle)s was not published: %(error)s") % {"bundle": onething, "error": exc},
            )
        else:
            messages.info(
                request,
                _("%(bundle)s: current version %(number)s.")
                % {"bundle": onething, "number": version.number},
            )


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    ordering = ["position"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "department", "is_active"]
    list_filter = ["is_active", "department"]
    search_fields = ["name", "name_en", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    inlines = [ProfileInline, ItemFieldInline, ItemMaterialInline, ItemRouteInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _republish(request, form.instance.onethings.all())


@admin.register(OneThing)
class OneThingAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_en", "stage", "audience", "county_lead"]
    list_filter = ["audience", "stage"]
    search_fields = ["name", "name_en"]
    list_select_related = ["county_lead"]
    autocomplete_fields = ["province_lead", "city_lead", "county_lead"]
    inlines = [QuestionInline, OneThingItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _republish(request, [form.instance])


@admin.register(ItemRule)
class ItemRuleAdmin(admin.ModelAdmin):
    list_display = ["row", "condition_text", "depends_on"]
    list_filter = ["row__onething"]
    list_select_related = ["row__onething", "row__item"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _republish(request, [obj.row.onething])


@admin.register(BundleVersion)
class BundleVersionAdmin(admin.ModelAdmin):
    """Published versions are history: readable, never edited."""

    list_display = ["onething", "number", "created_at", "digest"]
    list_filter = ["onething"]
    readonly_fields = ["onething", "number", "digest", "definition", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
