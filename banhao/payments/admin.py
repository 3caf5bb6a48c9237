from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    Bank,
    Capability,
    CapabilityFact,
    Category,
    FollowUpTask,
    Inspection,
    Landmark,
    PaymentTarget,
    Place,
    PlaceKind,
    ProblemReport,
)

RULE_KEYS = {
    "kinds": set(PlaceKind.values),
    "categories": set(Category.values),
    "banks": None,  # checked against the Bank table
    "all_of": set(Capability.values),
}


def validate_rule(rule) -> None:
    """A coverage rule names only known kinds, categories, banks and capabilities."""
    if not isinstance(rule, dict):
        raise ValidationError(_("The rule must be an object."))
    unknown_keys = set(rule) - set(RULE_KEYS)
    if unknown_keys:
        raise ValidationError(
            _("Unknown keys: %(keys)s") % {"keys": ", ".join(sorted(unknown_keys))}
        )
    if not rule.get("all_of"):
        raise ValidationError(_("Name at least one capability under all_of."))
    for key, allowed in RULE_KEYS.items():
        values = rule.get(key, [])
        if not isinstance(values, list):
            raise ValidationError(_("%(key)s must be a list.") % {"key": key})
        if allowed is None:
            allowed = set(Bank.objects.values_list("code", flat=True))
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationError(
                _("Unknown values under %(key)s: %(values)s")
                % {"key": key, "values": ", ".join(map(str, bad))}
            )


class PaymentTargetForm(forms.ModelForm):
    class Meta:
        model = PaymentTarget
        fields = [  # noqa: RUF100
            "code",
            "position",
            "text",
            "text_en",
            "metric",
            "threshold",
            "scope",
            "scope_en",
            "deadline",
            "deadline_as_written",
            "source",
            "rule",
        ]

    def clean_rule(self):
        rule = self.cleaned_data["rule"]
        validate_rule(rule)
        return rule


@admin.register(PaymentTarget)
class PaymentTargetAdmin(admin.ModelAdmin):
    form = PaymentTargetForm
    list_display = ["position", "code", "metric", "threshold", "deadline", "text"]
    list_filter = ["metric"]
    search_fields = ["code", "text", "text_en"]


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "full_name", "department"]
    autocomplete_fields = ["department"]


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "region", "latitude", "longitude", "is_demo"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Basic data only; capabilities change through the staff pages so history is kept."""

    list_display = ["code", "name", "kind", "category", "region", "department", "is_demo"]
    list_filter = ["kind", "sector", "category", "region", "is_demo", "is_active"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = [c.value for c in Capability] + ["capability_dates", "version"]
    raw_id_fields = ["department", "supervising_department", "region", "bank"]


@admin.register(CapabilityFact)
class CapabilityFactAdmin(admin.ModelAdmin):
    list_display = ["place", "capability", "value", "observed_on", "source", "recorded_by"]
    list_filter = ["capability", "source"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(Inspection)
admin.site.register(FollowUpTask)
admin.site.register(ProblemReport)
