"""Forms of the payments pages: they parse and validate input; services do the writing."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banhao.core.identifiers import clean_mobile
from banhao.org.models import Region

from .models import Capability, Category, FactSource, InspectionKind, PlaceKind, ProblemKind, Sector
from .states import EnforcementStatus, TaskStatus

TRI_STATE = [("", _("No change")), ("yes", _("Yes")), ("no", _("No"))]
STAFF_SOURCES = [
    (FactSource.BANK, FactSource.BANK.label),
    (FactSource.DEPARTMENT, FactSource.DEPARTMENT.label),
    (FactSource.PUBLIC_REPORT, FactSource.PUBLIC_REPORT.label),
]


class CapabilityForm(forms.Form):
    """One tri-state choice per capability (no change / yes / no), dated and sourced."""

    observed_on = forms.DateField(
        label=_("Date of these facts"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.ChoiceField(label=_("Source"), choices=STAFF_SOURCES)
    source_note = forms.CharField(
        label=_("Source details"),
        required=False,
        max_length=200,
        help_text=_("E.g. the report, notice or visit the facts come from."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        for capability in Capability:
            current = getattr(place, capability.value) if place is not None else None
            self.fields[capability.value] = forms.ChoiceField(
                label=capability.label,
                choices=TRI_STATE,
                required=False,
                help_text=_("Now: %(value)s")
                % {"value": {True: _("yes"), False: _("no"), None: _("unknown")}[current]},
            )
        if not self.is_bound:
            self.initial.setdefault("observed_on", timezone.localdate())
            if place is not None:
                self.initial["version"] = place.version

    def values(self) -> dict[str, bool]:
        return {
            c.value: self.cleaned_data[c.value] == "yes"
            for c in Capability
            if self.cleaned_data.get(c.value)
        }

    def capability_fields(self):
        return [self[c.value] for c in Capability]


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=InspectionKind.choices)
    visited_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for capability in Capability:
            self.fields[capability.value] = forms.ChoiceField(
                label=capability.label,
                choices=[("", _("Not checked")), ("yes", _("Working")), ("no", _("Not working"))],
                required=False,
            )
            self.fields[f"{capability.value}__note"] = forms.CharField(
                label=_("Note"), required=False, max_length=200
            )
        if not self.is_bound:
            self.initial.setdefault("visited_on", timezone.localdate())

    def findings(self) -> list[tuple[str, bool, str]]:
        return [
            (c.value, self.cleaned_data[c.value] == "yes", self.cleaned_data[f"{c.value}__note"])
            for c in Capability
            if self.cleaned_data.get(c.value)
        ]

    def finding_rows(self):
        return [(self[c.value], self[f"{c.value}__note"]) for c in Capability]


class CloseTaskForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (TaskStatus.DONE, TaskStatus.DONE.label),
            (TaskStatus.CANCELLED, TaskStatus.CANCELLED.label),
        ],
    )
    resolution = forms.CharField(
        label=_("What was done"), max_length=300, widget=forms.Textarea({"rows": 3})
    )


class EnforcementForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Move the case to"),
        choices=[(s.value, s.label) for s in EnforcementStatus if s != EnforcementStatus.REPORTED],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ProblemReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What went wrong?"), choices=ProblemKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Amount, time, what you were told. Any language is fine."),
    )
    occurred_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=60)
    contact_phone = forms.CharField(
        label=_("Phone for a call back (optional)"), required=False, max_length=32
    )

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone", "").strip()
        if not value:
            return ""
        try:
            return clean_mobile(value)
        except forms.ValidationError:
            compact = value.replace("-", "").replace(" ", "")
            if compact.isdigit() and compact.startswith("0") and 10 <= len(compact) <= 12:
                return compact  # a landline with area code, e.g. 0533-3221234
            raise forms.ValidationError(
                _(
                    "Enter a mainland mobile or landline number, or leave this empty and write "
                    "how to reach you in the description."
                )
            ) from None

    def clean_occurred_on(self):
        value = self.cleaned_data.get("occurred_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))


class PlaceForm(forms.Form):
    """A place's basic data, as the responsible unit registers or corrects it."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Stable identifier for data exchange, e.g. YY-ATM-0001."),
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=160, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    is_key = forms.BooleanField(label=_("Key place named by the plan"), required=False)
    region = forms.ModelChoiceField(label=_("Town"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address (Chinese)"), max_length=200, required=False)
    address_en = forms.CharField(label=_("Address (English)"), max_length=240, required=False)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=100, required=False)
    opening_hours_en = forms.CharField(
        label=_("Opening hours (English)"), max_length=140, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        from banhao.org.selectors import townships

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = townships()
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
