"""Input forms of the ledger's pages; the rules themselves live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .states import Cycle


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Reporting period"), required=False)
    text = forms.CharField(label=_("Progress made"), widget=forms.Textarea(attrs={"rows": 5}))
    percent = forms.IntegerField(label=_("Percentage complete"), min_value=0, max_value=100)
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, images, Word, Excel, WPS/OFD or ZIP; up to 20 MB each."),
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        if periods:
            self.fields["period"].choices = [
                (
                    start.isoformat(),
                    _("%(start)s to %(end)s (due %(due)s)")
                    % {"start": start, "end": end, "due": due},
                )
                for start, end, due in periods
            ]
            self.fields["period"].required = True
        else:
            del self.fields["period"]


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("Results achieved"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(
        label=_("Evidence files"),
        help_text=_(
            "At least one file showing the results. PDF, images, Word, Excel, WPS/OFD or ZIP; up to 20 MB each."
        ),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ScheduleForm(forms.Form):
    cycle = forms.ChoiceField(label=_("Reporting cycle"), choices=Cycle.choices)
    cycle_starts_on = forms.DateField(
        label=_("Reporting starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_on = forms.DateField(
        label=_("Task starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Ledger spreadsheet (.xlsx)"))
    source_title = forms.CharField(
        label=_("Ledger name"),
        max_length=200,
        help_text=_(
            "Rows are added to the ledger of this name; rows whose item already exists there are updated."
        ),
    )
    document = forms.CharField(label=_("Document number"), max_length=64, required=False)
