from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from banhao.core import masking

from .models import Enterprise, Licence, LicenceType, Person, SigningKey


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Lists show identifiers masked (personal data); search still takes the full number.
    list_display = ["name", "masked_id_number", "gender", "birth_date", "township"]
    list_filter = ["gender", "township"]
    search_fields = ["=id_number", "name", "=phone"]
    list_select_related = ["township"]
    raw_id_fields = ["township"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Person) -> str:
        return masking.mask_id_number(obj.id_number)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "industry", "legal_representative", "township"]
    list_filter = ["industry", "township"]
    search_fields = ["=credit_code", "name", "=legal_representative_id"]
    list_select_related = ["township"]
    raw_id_fields = ["township"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "validity_days", "reminder_offsets", "holder"]
    list_select_related = ["department"]
    raw_id_fields = ["item", "department", "renewal_onething"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    # Read-only here: licences are written by the archives' services (audited).
    list_display = ["number", "licence_type", "state", "issued_on", "expires_on", "source"]
    list_filter = ["licence_type", "state", "source"]
    search_fields = ["=number"]
    list_select_related = ["licence_type"]
    show_full_result_count = False
    # The salt keys the holder's digest in the signed content; nobody needs to read it.
    exclude = ["holder_salt"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    # Public keys only; written by `banhao licence_keys` (ADR 0016).
    list_display = ["key_id", "algorithm", "created_at", "retired_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
