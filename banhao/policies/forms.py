"""Forms of the policy pages: they parse and validate input (rules included, with the column
of the first problem); ``services`` validate again and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from banhao.org.models import Department

from . import rules
from .models import Policy
from .services import EDITABLE_FIELDS, ClauseInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = [f for f in EDITABLE_FIELDS if f != "is_demo"]
        widgets = {
            "summary": forms.Textarea({"rows": 3}),
            "summary_en": forms.Textarea({"rows": 3}),
            "legal_basis": forms.Textarea({"rows": 2}),
            "valid_from": DATE,
            "valid_until": DATE,
            "amount_formula": forms.TextInput(
                {"class": "rule", "spellcheck": "false", "autocomplete": "off"}
            ),
        }
        help_texts = {
            "document_number": _("E.g. 源政发〔2024〕1号."),
            "amount_formula": _(
                "Arithmetic over the facts, in 10,000 yuan like the facts, e.g. "
                "rd_spending * 10%. Leave empty for a fixed amount."
            ),
            "amount_cap": _("Only with a formula: no enterprise receives more."),
            "exempt_application": _(
                "Eligible enterprises receive the benefit without applying; the matching job "
                "makes the grants."
            ),
            "needs_staff_approval": _(
                "Grants wait for a decision of your department before they are made."
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.role != "admin":
            # Department staff write their own department's policies.
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.filter(level="county")

    def clean_amount_formula(self):
        text = (self.cleaned_data.get("amount_formula") or "").strip()
        if text:
            try:
                rules.parse_formula(text)
            except rules.RuleError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return text


class ClauseForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("Shown to enterprises, e.g. “R&D intensity”."),
    )
    label_en = forms.CharField(label=_("English label"), max_length=100, required=False)
    expression = forms.CharField(
        label=_("Rule"),
        max_length=rules.MAX_LENGTH,
        required=False,
        widget=forms.TextInput(
            {"class": "rule", "spellcheck": "false", "autocomplete": "off", "data-rule": "1"}
        ),
    )

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.townships = townships

    def clean(self):
        data = super().clean()
        label, expression = data.get("label", "").strip(), data.get("expression", "").strip()
        if not label and not expression:
            return data  # an empty row: ignored
        if not label:
            self.add_error("label", _("Give each clause a label, e.g. “R&D intensity”."))
        try:
            rules.parse_condition(expression, self.townships)
        except rules.RuleError as exc:
            self.add_error("expression", forms.ValidationError(exc.message, code=exc.code))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("label", "").strip() and not data.get("expression", "").strip()


class BaseClauseFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.clauses():
            raise forms.ValidationError(_("A policy needs at least one eligibility clause."))

    def clauses(self) -> list[ClauseInput]:
        return [
            ClauseInput(
                f.cleaned_data["label"], f.cleaned_data["expression"], f.cleaned_data["label_en"]
            )
            for f in self.forms
            if hasattr(f, "cleaned_data") and not f.is_blank
        ]


ClauseFormSet = forms.formset_factory(
    ClauseForm, formset=BaseClauseFormSet, extra=2, max_num=20, absolute_max=20
)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("The enterprise is told this reason."),
    )


class CheckEnterpriseForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_(
            "Why you look at this enterprise; it is recorded and the enterprise can see it."
        ),
    )
