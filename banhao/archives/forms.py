from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PurposeKind


class PurposeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Why do you open this archive?"),
        choices=PurposeKind.choices,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        help_text=_(
            "The application number (YJS…) or ticket number (12345-…) you are working on, "
            "or the purpose in words."
        ),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("ID number or unified social credit code"), max_length=18, min_length=18
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            ("persons", _("Persons")),
            ("enterprises", _("Enterprises")),
            ("licences", _("Licences and certificates")),
        ],
    )
    file = forms.FileField(label=_("CSV file (UTF-8)"))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        min_length=4,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The holder reads it in their notification."),
    )
