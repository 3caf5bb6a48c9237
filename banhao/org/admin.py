from django.contrib import admin

from .models import Department, Region, Venue


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "is_demo"]
    list_filter = ["level", "kind", "is_demo"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "level", "kind", "region", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "name_en"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "operator"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
