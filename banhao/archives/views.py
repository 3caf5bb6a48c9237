"""Pages of the archives: the holder's own archive, staff access for a recorded purpose,
renewal from a reminder, the CSV import, and electronic licences (a licence's QR code, its
public verification, revocation by the issuing department). Views parse, call one service or selector, render.
"""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from banhao.accounts.identity import is_verified, pending_claim
from banhao.accounts.roles import PUBLIC_ROLES, STAFF_ROLES
from banhao.audit.services import record_personal_data_view
from banhao.core import masking
from banhao.onething.errors import OneThingError
from banhao.onething.states import ApplicationState

from . import access, imports, selectors, services
from .errors import ArchiveError
from .forms import ImportForm, PurposeForm, RevokeForm, SearchForm
from .models import Licence, LicenceState, Person


def _staff_only(user) -> None:
    if user.role not in STAFF_ROLES:
        raise Http404


def _kind_of(holder) -> str:
    return "persons" if isinstance(holder, Person) else "enterprises"


def _archive_url(holder) -> str:
    name = "archives:person" if isinstance(holder, Person) else "archives:enterprise"
    return reverse(name, args=[holder.pk])


@login_required
def mine(request):
    """The holder's own archive (我的档案), with who looked at it."""
    if request.user.role not in PUBLIC_ROLES:
        raise Http404
    if not is_verified(request.user):
        # A typed number is a claim, not an identity: nothing of any archive until verified.
        return render(
            request,
            "archives/unverified.html",
            {"claim": pending_claim(request.user), "is_holder": True},
        )
    holder = selectors.archive_of_user(request.user)
    view = selectors.archive_view(holder, reveal=True, with_viewers=True) if holder else None
    return render(request, "archives/archive.html", {"view": view, "is_holder": True})


@login_required
def search(request):
    """Staff find one archive by its exact ID number or credit code."""
    _staff_only(request.user)
    form = SearchForm(request.GET or None)
    if form.is_valid():
        holder = selectors.find_archive(form.cleaned_data["q"])
        if holder is not None:
            return redirect(_archive_url(holder))
        form.add_error("q", _("No archive has this ID number or credit code."))
    return render(request, "archives/search.html", {"form": form})


def _holder_page(request, kind: str, pk: int):
    holder = access.holder_or_404(kind, pk)
    user = request.user
    if user.role in PUBLIC_ROLES:
        if access.is_own(user, holder):
            return redirect("archives:mine")
        raise Http404
    _staff_only(user)
    grant = selectors.valid_access(user, holder)
    if grant is None:
        return redirect("archives:purpose", kind, pk)
    record_personal_data_view(
        actor=user,
        subject_key=services.subject_key_of(holder),
        obj=holder,
        fields=["archive"],
        purpose=grant.purpose_text,
    )
    view = selectors.archive_view(holder, reveal=grant.reveals_identifiers)
    for lic in view.licences:
        lic.revocable = lic.state != LicenceState.REVOKED and services.can_revoke(user, lic)
    return render(
        request, "archives/archive.html", {"view": view, "is_holder": False, "grant": grant}
    )


@login_required
def person(request, pk: int):
    return _holder_page(request, "persons", pk)


@login_required
def enterprise(request, pk: int):
    return _holder_page(request, "enterprises", pk)


@login_required
def purpose(request, kind: str, pk: int):
    """Staff record why they open an archive before they see it."""
    _staff_only(request.user)
    holder = access.holder_or_404(kind, pk)
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_access_purpose(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                reference=form.cleaned_data["reference"],
                **{"person" if kind == "persons" else "enterprise": holder},
            )
        except ArchiveError as exc:
            form.add_error("reference", exc.message)
        else:
            return redirect(_archive_url(holder))
    masked = selectors.ArchiveView(holder=holder, is_person=kind == "persons", reveal=False)
    return render(
        request,
        "archives/purpose.html",
        {"form": form, "identifier": masked.identifier, "kind": kind},
        status=400 if form.errors else 200,
    )


@login_required
def renew(request, pk: int):
    """Where a renewal reminder leads: the licence, and one button to start its renewal."""
    licence = access.own_licence_or_404(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            application = services.start_renewal(actor=request.user, licence_id=licence.pk)
        except (ArchiveError, OneThingError) as exc:
            error = exc.message
        else:
            return redirect("onething:questions", application.pk)
    return render(
        request,
        "archives/renew.html",
        {
            "licence": licence,
            "error": error,
            "continues_draft": licence.renewal_application_id is not None
            and licence.renewal_application.state == ApplicationState.DRAFT,
        },
        status=400 if error else 200,
    )


@login_required
def import_archives(request):
    if request.user.role not in access.IMPORT_ROLES:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            result = imports.import_csv(
                actor=request.user, kind=form.cleaned_data["kind"], stream=io.StringIO(text)
            )
            if result.ok:
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("archives:import")
    return render(
        request,
        "archives/import.html",
        {"form": form, "result": result, "columns": imports.COLUMNS},
        status=400 if result and result.errors else 200,
    )


# --- electronic licences (ADR 0016) -----------------------------------------------------------


def _verification_url(request, token: str) -> str:
    path = reverse("archives:verify", args=[token])
    if settings.BANHAO_PUBLIC_URL:
        return settings.BANHAO_PUBLIC_URL + path
    return request.build_absolute_uri(path)


def _qr_svg(url: str) -> str:
    # segno writes the SVG itself (no image file, no script); "M" survives a worn print-out.
    return segno.make(url, error="m").svg_inline(
        scale=5, border=2, dark="#111", light="#fff", omitsize=True
    )


@login_required
def licence(request, pk: int):
    """The holder's electronic licence: its facts and the QR code of its verification page."""
    lic = access.own_licence_or_404(request.user, pk)
    url = _verification_url(request, lic.token) if lic.token else ""
    return render(
        request,
        "archives/licence.html",
        {"licence": lic, "verify_url": url, "qr": mark_safe(_qr_svg(url)) if url else ""},  # noqa: S308 (segno's own SVG)
    )


# Anyone may scan a code: the answer is the same for everyone, so caches and proxies may keep it
# for a minute (a revocation shows within that), which also blunts repeated scanning.
VERIFY_MAX_AGE = 60


@require_GET
@vary_on_headers("Accept-Language")
def verify(request, token: str):
    """The public verification page a licence's QR code opens: no login, nothing in the URL
    but an opaque token, no more on the page than the licence itself shows."""
    check = selectors.licence_check(token)
    response = render(
        request, "archives/verify.html", {"check": check}, status=200 if check else 404
    )
    # A logged-in visitor's page carries their name in the top bar: only their browser keeps it.
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=VERIFY_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=VERIFY_MAX_AGE)
    return response


@require_GET
@cache_control(public=True, max_age=VERIFY_MAX_AGE)
def verify_json(request, token: str):
    """The same answer for machines."""
    check = selectors.licence_check(token)
    if check is None:
        return JsonResponse(
            {"code": "not_found", "message": "No licence has this verification code."}, status=404
        )
    return JsonResponse(check.as_dict())


@login_required
def revoke(request, pk: int):
    """Staff of the issuing department revoke a licence, stating why."""
    _staff_only(request.user)
    lic = (
        Licence.objects.select_related("licence_type", "issuer", "person", "enterprise")
        .filter(pk=pk)
        .first()
    )
    if lic is None or not services.can_revoke(request.user, lic):
        raise Http404
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and lic.state != LicenceState.REVOKED and form.is_valid():
        try:
            lic = services.revoke_licence(
                actor=request.user, licence_id=lic.pk, reason=form.cleaned_data["reason"]
            )
        except ArchiveError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, _("The licence is revoked; its holder has been told."))
            return redirect("archives:revoke", lic.pk)
    holder = lic.holder
    number = lic.number
    if lic.licence_type.number_identifies_holder:
        number = masking.mask_id_number(number)
    return render(
        request,
        "archives/revoke.html",
        {
            "licence": lic,
            "form": form,
            "number": number,
            "holder_name": masking.mask_name(holder.name) if lic.person_id else holder.name,
        },
        status=400 if form.errors else 200,
    )
