from django.contrib import admin

from .models import Department, DepartmentAlias, Region, Venue


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "level", "kind", "parent", "is_demo"]
    list_filter = ["level", "kind", "is_demo"]
    search_fields = ["name", "name_en", "code"]
    list_select_related = ["parent"]


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "level", "kind", "region", "is_placeholder", "is_active"]
    list_filter = ["level", "kind", "is_placeholder", "is_active"]
    search_fields = ["name", "name_en", "aliases__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["parent"]
    inlines = [DepartmentAliasInline]


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "note"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "region", "operator", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "name_en", "address"]
    list_select_related = ["region", "operator"]
    autocomplete_fields = ["operator"]
