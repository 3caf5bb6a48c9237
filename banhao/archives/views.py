"""Pages of the archives: the holder's own archive, staff access for a recorded purpose,
renewal from a reminder, and the CSV import. Views parse, call one service or selector, render.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from banhao.accounts.identity import is_verified, pending_claim
from banhao.accounts.roles import PUBLIC_ROLES, STAFF_ROLES
from banhao.audit.services import record_personal_data_view
from banhao.onething.errors import OneThingError
from banhao.onething.states import ApplicationState

from . import access, imports, selectors, services
from .errors import ArchiveError
from .forms import ImportForm, PurposeForm, SearchForm
from .models import Person


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
