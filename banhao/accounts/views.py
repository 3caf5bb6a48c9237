from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from . import services
from .errors import AccountError
from .forms import CitizenRegisterForm, EnterpriseRegisterForm, LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        services.record_login(user=user)
        # The language chosen on an earlier visit follows the account to this browser.
        if user.preferred_language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=365 * 24 * 3600,
                samesite="Lax",
            )
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
            messages.success(request, _("Welcome! Your account is ready."))
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
    return render(request, "accounts/profile.html", {"account": request.user})
