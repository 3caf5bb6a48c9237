"""Pages of the payments register: the public finder, place pages, problem reports, town
guides and open data; the staff register, updates, inspections, tasks, targets and import."""

import io
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banhao.accounts.roles import COUNTY_WIDE_ROLES, STAFF_ROLES
from banhao.org.models import Region

from . import access, exchange, selectors
from .errors import PaymentsError
from .forms import (
    CapabilityForm,
    CloseTaskForm,
    EnforcementForm,
    ImportForm,
    InspectionForm,
    PlaceForm,
    ProblemReportForm,
)
from .models import Capability, PaymentTarget, PlaceKind, ProblemKind
from .services.capabilities import record_capabilities
from .services.inspections import close_task, record_inspection
from .services.places import PLACE_FIELDS, register_place, update_place
from .services.reports import advance_enforcement, submit_report
from .states import HandoffStatus, TaskStatus


def _map_settings() -> dict:
    return {
        "tile_url": getattr(settings, "BANHAO_MAP_TILE_URL", ""),
        "attribution": getattr(settings, "BANHAO_MAP_ATTRIBUTION", ""),
    }


def parse_finder_query(params) -> tuple[selectors.FinderQuery, dict]:
    """The finder's filters from GET parameters (shared by the page and the API)."""
    needs = [n for n in params.getlist("need") if n in Capability.values]
    kind = params.get("kind", "")
    kind = kind if kind in PlaceKind.values else ""
    try:
        region_id = int(params.get("town") or 0) or None
    except ValueError:
        region_id = None
    origin = None
    origin_error = ""
    lat, lng = params.get("lat", ""), params.get("lng", "")
    landmark = selectors.landmark(params.get("landmark")) if params.get("landmark") else None
    if lat and lng:
        try:
            la, lo = float(lat), float(lng)
            if not (-90 <= la <= 90 and -180 <= lo <= 180):
                raise ValueError
            origin = selectors.Origin(la, lo, _("your location"))
        except ValueError:
            origin_error = _("Your location could not be read; showing places by town instead.")
    elif landmark is not None:
        from banhao.core.i18n import localized

        origin = selectors.Origin(landmark.latitude, landmark.longitude, localized(landmark))
    query = selectors.FinderQuery(
        needs=needs,
        kind=kind,
        region_id=region_id,
        text=params.get("q", "").strip()[:60],
        origin=origin,
    )
    state = {
        "needs": needs,
        "kind": kind,
        "town": region_id,
        "q": query.text,
        "lat": lat if origin and not landmark else "",
        "lng": lng if origin and not landmark else "",
        "landmark": landmark.pk if landmark else "",
        "origin_error": origin_error,
    }
    return query, state


def finder(request):
    query, state = parse_finder_query(request.GET)
    rows = selectors.localize_rows(selectors.find_places(query))
    return render(
        request,
        "payments/finder.html",
        {
            "rows": rows,
            "query": query,
            "state": state,
            "needs": [(c.value, str(c.label)) for c in selectors.FINDER_NEEDS],
            "km": _("km"),
            "kinds": PlaceKind.choices,
            "towns": selectors.towns(),
            "landmarks": selectors.landmarks(),
            "map": _map_settings(),
        },
    )


def place(request, pk: int):
    obj = selectors.public_place(pk)
    if obj is None:
        raise Http404
    return render(
        request,
        "payments/place.html",
        {
            "place": obj,
            "facts": selectors.current_facts(obj),
            "can_edit": access.can_edit_place(request.user, obj),
            "report_kinds": ProblemKind.choices,
        },
    )


def report(request, pk: int):
    obj = selectors.public_place(pk)
    if obj is None:
        raise Http404
    form = ProblemReportForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        try:
            saved = submit_report(
                place=obj,
                language=translation.get_language() or "",
                reporter=request.user,
                **form.cleaned_data,
            )
        except PaymentsError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("payments:report_done", pk=saved.pk, token=_report_token(saved))
    return render(request, "payments/report.html", {"place": obj, "form": form})


def _report_token(report) -> str:
    """A short signature so only the person who reported sees the confirmation page."""
    from django.core.signing import Signer

    return Signer(salt="payments.report").sign(str(report.pk)).rsplit(":", 1)[1][:16]


def report_done(request, pk: int, token: str):
    from .models import ProblemReport

    report_obj = get_object_or_404(ProblemReport.objects.select_related("place"), pk=pk)
    if token != _report_token(report_obj):
        raise Http404
    return render(
        request,
        "payments/report_done.html",
        {"report": report_obj, "handed_off": report_obj.handoff_status == HandoffStatus.HANDED_OFF},
    )


def guides(request):
    return render(request, "payments/guides.html", {"towns": selectors.towns()})


def guide(request, region_id: int):
    region = get_object_or_404(Region, pk=region_id, level="township")
    return render(request, "payments/guide.html", selectors.town_guide(region))


def export_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="yiyuan-payment-places.csv"'
    exchange.write_csv(response, selectors.export_rows())
    return response


def export_geojson(request):
    response = HttpResponse(
        json.dumps(exchange.geojson(selectors.export_rows()), ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="yiyuan-payment-places.geojson"'
    return response


# --- staff ---------------------------------------------------------------------------------


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role not in STAFF_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@staff_required
def targets(request):
    """Every target's county-wide coverage, the user's own unit's share, and the shortfall
    counted by responsible unit (county-wide roles see every unit, others their own)."""
    user = request.user
    coverage = selectors.target_coverage()
    mine = selectors.target_coverage(user) if user.role not in COUNTY_WIDE_ROLES else None
    rows = [
        {
            "coverage": c,
            "mine": mine[i] if mine else None,
            "by_unit": selectors.shortfall_counts_by_unit(c.target, user),
        }
        for i, c in enumerate(coverage)
    ]
    return render(request, "payments/targets.html", {"rows": rows})


@staff_required
def target_shortfall(request, code: str):
    target = get_object_or_404(PaymentTarget, code=code)
    places = selectors.shortfall_places(target, request.user)
    return render(request, "payments/shortfall.html", {"target": target, "places": places})


@staff_required
def staff_places(request):
    kind = request.GET.get("kind", "")
    qs = selectors.staff_place_list(
        request.user,
        kind=kind,
        region_id=request.GET.get("town") or None,
        text=request.GET.get("q", ""),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/staff_places.html",
        {
            "page": page,
            "kinds": PlaceKind.choices,
            "towns": selectors.towns(),
            "q": request.GET,
            "can_exchange": access.can_exchange_data(request.user),
        },
    )


@staff_required
def staff_place(request, pk: int):
    obj = selectors.staff_place(request.user, pk)
    can_edit = access.can_edit_place(request.user, obj)
    form = CapabilityForm(request.POST or None, place=obj)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                record_capabilities(
                    actor=request.user,
                    place=obj,
                    values=form.values(),
                    observed_on=form.cleaned_data["observed_on"],
                    source=form.cleaned_data["source"],
                    source_note=form.cleaned_data["source_note"],
                    expected_version=form.cleaned_data["version"],
                )
            except PaymentsError as exc:
                form.add_error(None, exc.message)
                obj = selectors.staff_place(request.user, pk)
            else:
                messages.success(request, _("The facts were recorded."))
                return redirect("payments:staff_place", pk=pk)
    return render(
        request,
        "payments/staff_place.html",
        {
            "place": obj,
            "form": form,
            "can_edit": can_edit,
            "history": selectors.place_facts(obj),
            "current": selectors.current_facts(obj),
        },
    )


@staff_required
def inspect(request, pk: int):
    obj = selectors.staff_place(request.user, pk)
    if not access.can_edit_place(request.user, obj):
        raise PermissionDenied
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_inspection(
                actor=request.user,
                place=obj,
                kind=form.cleaned_data["kind"],
                visited_on=form.cleaned_data["visited_on"],
                findings=form.findings(),
                notes=form.cleaned_data["notes"],
            )
        except PaymentsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("payments:staff_place", pk=pk)
    return render(request, "payments/inspect.html", {"place": obj, "form": form})


@staff_required
def tasks(request):
    status = request.GET.get("status", TaskStatus.OPEN)
    status = status if status in TaskStatus.values or status == "" else TaskStatus.OPEN
    page = Paginator(selectors.staff_tasks(request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/tasks.html",
        {"page": page, "status": status, "statuses": TaskStatus.choices},
    )


@staff_required
def task(request, pk: int):
    obj = selectors.staff_task(request.user, pk)
    form = CloseTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            close_task(
                actor=request.user,
                task=obj,
                status=form.cleaned_data["status"],
                resolution=form.cleaned_data["resolution"],
            )
        except PaymentsError as exc:
            form.add_error(None, exc.message)
            obj = selectors.staff_task(request.user, pk)
        else:
            messages.success(request, _("The task was closed."))
            return redirect("payments:tasks")
    return render(
        request,
        "payments/task.html",
        {"task": obj, "form": form, "can_edit": access.can_edit_place(request.user, obj.place)},
    )


@staff_required
def reports(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in ProblemKind.values else ""
    page = Paginator(selectors.staff_reports(request.user, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/reports.html",
        {
            "page": page,
            "kind": kind,
            "kinds": ProblemKind.choices,
            "enforcer": access.is_enforcement_staff(request.user),
            "form": EnforcementForm(),
        },
    )


@staff_required
@require_POST
def enforce(request, pk: int):
    obj = selectors.staff_reports(request.user).filter(pk=pk, kind=ProblemKind.CASH_REFUSED).first()
    if obj is None:
        raise Http404
    form = EnforcementForm(request.POST)
    if form.is_valid():
        try:
            advance_enforcement(
                actor=request.user,
                report=obj,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except PaymentsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The case was updated."))
    else:
        messages.error(request, _("Choose where to move the case."))
    return redirect(reverse("payments:reports") + "?kind=cash_refused")


@staff_required
def import_places(request):
    if not access.can_exchange_data(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            result = exchange.import_csv(actor=request.user, stream=io.StringIO(text))
            if result.ok:
                messages.success(
                    request,
                    _("Imported: %(created)d new places, %(updated)d updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("payments:staff_places")
    return render(
        request,
        "payments/import.html",
        {"form": form, "result": result, "columns": exchange.COLUMNS},
    )


PLACE_DATA_FIELDS = PLACE_FIELDS


@staff_required
def place_new(request):
    form = PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PLACE_DATA_FIELDS}
        try:
            created = register_place(
                actor=request.user, code=form.cleaned_data["code"].strip(), data=data
            )
        except PaymentsError as exc:
            form.add_error("code" if exc.code == "code_taken" else None, exc.message)
        else:
            messages.success(request, _("The place was added. Now record what it accepts."))
            return redirect("payments:staff_place", pk=created.pk)
    return render(request, "payments/place_form.html", {"form": form, "place": None})


@staff_required
def place_edit(request, pk: int):
    obj = selectors.staff_place(request.user, pk)
    if not access.can_edit_place(request.user, obj):
        raise PermissionDenied
    initial = {k: getattr(obj, k) for k in PLACE_DATA_FIELDS}
    initial.update(code=obj.code, version=obj.version)
    form = PlaceForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PLACE_DATA_FIELDS}
        try:
            update_place(
                actor=request.user,
                place=obj,
                data=data,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except PaymentsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The place was updated."))
            return redirect("payments:staff_place", pk=pk)
    return render(request, "payments/place_form.html", {"form": form, "place": obj})
