from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from banhao.core.i18n import remember_language

from . import identity, services
from .errors import AccountError
from .forms import (
    CitizenRegisterForm,
    EnterpriseRegisterForm,
    FindAccountForm,
    LoginForm,
    VerifyIdentityForm,
)
from .identity import IdentityKind
from .roles import Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        services.record_login(user=user)
        remember_language(response, user)
        return response

    def form_invalid(self, form):
        services.record_failed_login(username=form.data.get("username", ""))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.record_logout(user=request.user)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        # The service validates, saves and audits; Django's view keeps the session alive.
        services.change_password(user=form.user, new_password=form.cleaned_data["new_password1"])
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.success_url)


def _register(request, form_class, service, template):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("password_again")
        try:
            user = service(**data)
        except AccountError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "Welcome! Your account is ready. Verify your identity at a service window "
                    "to open your archive."
                ),
            )
            return redirect("portal:home")
    return render(request, template, {"form": form})


def register_citizen(request):
    return _register(
        request, CitizenRegisterForm, services.register_citizen, "accounts/register_citizen.html"
    )


def register_enterprise(request):
    return _register(
        request,
        EnterpriseRegisterForm,
        services.register_enterprise,
        "accounts/register_enterprise.html",
    )


@login_required
def profile(request):
    # The holder sees their own identifiers in full; nobody else's view goes through this page.
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "account": user,
            "verified": identity.is_verified(user),
            "claim": identity.pending_claim(user) if user.is_public else None,
        },
    )


def _verifier_only(user) -> None:
    if not identity.may_verify(user):
        raise PermissionDenied


@login_required
def verify_find(request):
    """实名核验 at a window, step 1: the clerk finds the account its holder names."""
    _verifier_only(request.user)
    form = FindAccountForm(request.GET or None)
    if form.is_valid():
        account = identity.account_for_verification(form.cleaned_data["username"])
        if account is not None:
            return redirect("accounts:verify", account.pk)
        form.add_error("username", _("No citizen or enterprise account has this user name."))
    return render(request, "accounts/verify_find.html", {"form": form})


@sensitive_post_parameters("document_number")
@login_required
def verify(request, pk: int):
    """Step 2: the clerk has checked the document and records it. The page shows the account
    masked; the typed number is compared with the account's claim, never displayed."""
    _verifier_only(request.user)
    account = identity.account_for_verification_by_pk(pk)
    if account is None:
        raise Http404
    kind = IdentityKind.PERSON if account.role == Role.CITIZEN else IdentityKind.ENTERPRISE
    form = VerifyIdentityForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.verify_in_person(
                clerk=request.user,
                user=account,
                document_type=data["document_type"],
                document_number=data["document_number"],
                name=data.get("name", ""),
                authority=data.get("authority", ""),
                acting_person=data.get("acting_person", ""),
            )
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The identity of %(username)s is verified.") % {"username": account.username},
            )
            return redirect("accounts:verify_find")
    return render(
        request,
        "accounts/verify.html",
        {
            "form": form,
            "account": identity.masked_summary(account),
            "kind": kind,
            "claim": identity.pending_claim(account),
            "verified": identity.is_verified(account),
        },
        status=400 if form.errors else 200,
    )
