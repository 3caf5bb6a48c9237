"""Forms of the hotline pages. Validation of meaning lives in the services; these parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from banhao.org.selectors import townships

from .models import Category
from .states import TicketType, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf,audio/*"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class IntakeForm(forms.Form):
    ticket_type = forms.ChoiceField(
        label=_("Type"), choices=TicketType.choices, initial=TicketType.COMPLAINT
    )
    category = forms.ModelChoiceField(
        label=_("Matter"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not sure — let the centre decide"),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=_("Subject"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What happened, and what do you ask for?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    town = forms.ModelChoiceField(label=_("Town or subdistrict"), queryset=None, required=False)
    address = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_("No name or phone number is kept; the centre cannot call you back."),
    )
    contact_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    attachments = MultipleFileField(label=_("Pictures, documents or recordings"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            parent__isnull=False, is_active=True
        ).select_related("parent")
        self.fields["category"].label_from_instance = lambda c: f"{c.parent.name} · {c.name}"
        self.fields["town"].queryset = townships()
