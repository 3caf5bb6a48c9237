from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from banhao.core.identifiers import clean_credit_code, clean_id_number, clean_mobile

from .identity import (
    ENTERPRISE_DOCUMENTS,
    PERSON_DOCUMENTS,
    Authority,
    DocumentType,
    IdentityKind,
)
from .models import User


class LoginForm(AuthenticationForm):
    pass


class _RegisterBase(forms.Form):
    username = forms.CharField(
        label=_("User name"), max_length=150, validators=[User.username_validator]
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("This user name is taken."), code="username_taken")
        return username

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return clean_mobile(phone) if phone else ""

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class CitizenRegisterForm(_RegisterBase):
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    id_number = forms.CharField(label=_("ID number"), max_length=18)

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])


class EnterpriseRegisterForm(_RegisterBase):
    organisation_name = forms.CharField(label=_("Enterprise name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)

    def clean_credit_code(self):
        return clean_credit_code(self.cleaned_data["credit_code"])


class FindAccountForm(forms.Form):
    username = forms.CharField(label=_("The account's user name"), max_length=150)


class VerifyIdentityForm(forms.Form):
    """What a window clerk records after checking the document of the person in front of them.
    The number is typed from the document and compared with the account's claim; it is never
    shown back, put in a URL or logged."""

    document_type = forms.ChoiceField(label=_("Document checked"))
    document_number = forms.CharField(
        label=_("Number on the document"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name on the document"), max_length=200, required=False)
    authority = forms.ChoiceField(
        label=_("The person present is"), choices=Authority.choices, required=False
    )
    acting_person = forms.CharField(
        label=_("Name of the person present"), max_length=100, required=False
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        documents = PERSON_DOCUMENTS if kind == IdentityKind.PERSON else ENTERPRISE_DOCUMENTS
        self.fields["document_type"].choices = [
            (value, label) for value, label in DocumentType.choices if value in documents
        ]
        if kind == IdentityKind.PERSON:
            del self.fields["authority"]
            del self.fields["acting_person"]
        else:
            self.fields["authority"].required = True
            self.fields["acting_person"].required = True
