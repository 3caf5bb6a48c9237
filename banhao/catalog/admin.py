from django.contrib import admin

from .models import OneThing, OneThingItem, ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "department", "is_active"]
    list_filter = ["is_active", "department"]
    search_fields = ["name", "name_en", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]


class OneThingItemInline(admin.TabularInline):
    model = OneThingItem
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["item", "city_responsible", "county_responsible"]


@admin.register(OneThing)
class OneThingAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_en", "stage", "audience", "county_lead"]
    list_filter = ["audience", "stage"]
    search_fields = ["name", "name_en"]
    list_select_related = ["county_lead"]
    autocomplete_fields = ["province_lead", "city_lead", "county_lead"]
    inlines = [OneThingItemInline]


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
