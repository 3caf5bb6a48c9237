"""Thin pages of the ledger: parse input, call one service or selector, render."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banhao.org.models import Department

from . import access, charts, selectors, services, spreadsheet
from . import evaluation as evaluation_mod
from .errors import LedgerError
from .forms import CloseForm, ImportForm, ReportForm, ScheduleForm
from .models import Evaluation, EvaluationScore, Indicator, Source
from .states import Status


def ledger_staff(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.may_use_ledger(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def manager_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.can_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _form_error(form, exc: LedgerError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@ledger_staff
def index(request):
    today = timezone.localdate()
    params = request.GET
    try:
        unit = int(params.get("unit") or 0) or None
    except ValueError:
        unit = None
    qs = selectors.task_list(
        request.user,
        today,
        source=params.get("source", ""),
        status=params.get("status", ""),
        unit=unit,
        q=params.get("q", "").strip(),
    )
    page = Paginator(qs, 50).get_page(params.get("page"))
    return render(
        request,
        "ledger/index.html",
        {
            "page": page,
            "sources": selectors.sources(),
            "statuses": Status.choices,
            "q": params,
            "can_manage": access.can_manage(request.user),
        },
    )


@ledger_staff
def task(request, pk):
    obj = access.get_task_or_404(request.user, pk)
    today = timezone.localdate()
    link = access.unit_link(request.user, obj)
    detail = selectors.task_detail(obj, today)
    return render(
        request,
        "ledger/task.html",
        {
            "task": obj,
            "link": link,
            "can_report": access.can_report(request.user, link) and obj.stage != "closed",
            "can_propose": link is not None and obj.stage == "open",
            "can_confirm": access.can_confirm(request.user, link)
            and obj.stage == "closure_proposed",
            "can_sign_off": access.can_sign_off(request.user),
            "can_manage": access.can_manage(request.user),
            "departments": selectors.assignable_units() if access.can_manage(request.user) else [],
            "today": today,
            **detail,
        },
    )


@ledger_staff
def report(request, pk):
    obj = access.get_task_or_404(request.user, pk)
    link = access.unit_link(request.user, obj)
    if link is None:
        raise PermissionDenied
    periods = selectors.reportable_periods(obj, link, timezone.localdate())
    form = ReportForm(request.POST or None, request.FILES or None, periods=periods)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data.get("period")
        try:
            services.file_report(
                actor=request.user,
                task_id=obj.pk,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                period_start=dt.date.fromisoformat(period) if period else None,
                files=form.cleaned_data["files"],
            )
        except LedgerError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your progress report has been filed."))
            return redirect("ledger:task", pk=obj.pk)
    return render(request, "ledger/report_form.html", {"task": obj, "form": form, "link": link})


@manager_only
def schedule_task(request, pk):
    obj = access.get_task_or_404(request.user, pk)
    initial = {
        "cycle": obj.cycle,
        "cycle_starts_on": obj.cycle_starts_on,
        "starts_on": obj.starts_on,
        "deadline": obj.deadline,
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_schedule(actor=request.user, task_id=obj.pk, **form.cleaned_data)
        except LedgerError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The schedule has been saved."))
            return redirect("ledger:task", pk=obj.pk)
    return render(request, "ledger/schedule_form.html", {"task": obj, "form": form})


@ledger_staff
def propose_close(request, pk):
    obj = access.get_task_or_404(request.user, pk)
    if access.unit_link(request.user, obj) is None:
        raise PermissionDenied
    form = CloseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_closure(
                actor=request.user,
                task_id=obj.pk,
                summary=form.cleaned_data["summary"],
                files=form.cleaned_data["files"],
            )
        except LedgerError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Closure proposed; the lead units and the office have been told.")
            )
            return redirect("ledger:task", pk=obj.pk)
    return render(request, "ledger/close_form.html", {"task": obj, "form": form})


def _action(request, pk, call, success: str, *, with_note: str = ""):
    obj = access.get_task_or_404(request.user, pk)
    kwargs = {with_note: request.POST.get("note", "")} if with_note else {}
    try:
        call(actor=request.user, task_id=obj.pk, **kwargs)
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("ledger:task", pk=obj.pk)


@require_POST
@manager_only
def add_unit(request, pk):
    obj = access.get_task_or_404(request.user, pk)
    department = Department.objects.filter(
        pk=request.POST.get("department") or 0, is_placeholder=False, is_active=True
    ).first()
    if department is None:
        messages.error(request, _("Choose a unit."))
        return redirect("ledger:task", pk=obj.pk)
    try:
        services.add_unit(
            actor=request.user,
            task_id=obj.pk,
            department=department,
            role=request.POST.get("role", "lead"),
        )
    except (LedgerError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Choose a unit.")))
    else:
        messages.success(request, _("%(unit)s added.") % {"unit": department.name})
    return redirect("ledger:task", pk=obj.pk)


@require_POST
@ledger_staff
def confirm(request, pk):
    return _action(
        request, pk, services.confirm_closure, _("Your unit's confirmation is recorded.")
    )


@require_POST
@ledger_staff
def send_back(request, pk):
    return _action(
        request, pk, services.send_back, _("The closure has been sent back."), with_note="note"
    )


@require_POST
@ledger_staff
def sign_off(request, pk):
    return _action(
        request, pk, services.sign_off, _("Signed off: the task is closed."), with_note="note"
    )


@require_POST
@ledger_staff
def reopen(request, pk):
    return _action(
        request, pk, services.reopen, _("The task has been reopened."), with_note="reason"
    )


@ledger_staff
def evidence(request, pk):
    item = selectors.evidence_for(request.user, pk)
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


@ledger_staff
def mine(request):
    user = request.user
    if not access.is_unit_staff(user):
        return redirect("ledger:dashboard")
    data = selectors.unit_obligations(
        user.department_id, timezone.localdate(), page=request.GET.get("page") or 1
    )
    return render(
        request,
        "ledger/mine.html",
        {"unit": user.department, "today": timezone.localdate(), **data},
    )


@login_required
def dashboard(request):
    if not access.sees_all(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    data = selectors.dashboard_cached(today)
    status_labels = [label for _value, label, _n in data.status_counts]
    context = {
        "d": data,
        "today": today,
        "status_chart": charts.bar_chart(
            [(label, n) for _v, label, n in data.status_counts],
            colours=charts.STATUS_COLOURS,
            title=_("Tasks by status"),
        ),
        "unit_chart": charts.stacked_bars(
            data.by_unit,
            series=status_labels,
            colours=charts.STATUS_COLOURS,
            title=_("Tasks by unit and status"),
        ),
        "trend_chart": charts.line_chart(
            [m.strftime("%Y-%m") for m, _n in data.reports_by_month],
            [
                (_("Progress reports"), [n for _m, n in data.reports_by_month]),
                (_("Tasks closed"), [n for _m, n in data.closed_by_month]),
            ],
            title=_("Reports and closures per month"),
        ),
        "ranking_chart": charts.bar_chart(
            [(s.unit.name, float(s.score)) for s in data.ranking],
            horizontal=True,
            title=_("Evaluation ranking"),
            max_value=100,
        )
        if data.ranking
        else "",
    }
    return render(request, "ledger/dashboard.html", context)


@manager_only
def import_ledger(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = spreadsheet.import_ledger(
            actor=request.user,
            file=form.cleaned_data["file"],
            title=form.cleaned_data["source_title"],
            document=form.cleaned_data["document"],
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "Imported: %(created)d tasks added, %(updated)d updated, %(unchanged)d unchanged."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(f"{redirect('ledger:index').url}?source={result.source.code}")
    return render(
        request,
        "ledger/import.html",
        {"form": form, "result": result, "sources": selectors.sources()},
    )


@ledger_staff
def export_ledger(request, code):
    source = Source.objects.filter(code=code).first()
    if source is None:
        raise Http404
    tasks = access.tasks_for(request.user).filter(source=source)
    content = spreadsheet.export_ledger(actor=request.user, source=source, tasks=tasks)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-{source.code}.xlsx"'
    return response


@login_required
def evaluation(request):
    if not access.sees_all(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if not access.can_manage(request.user):
            raise PermissionDenied
        try:
            ev = evaluation_mod.evaluate(
                actor=request.user,
                period_kind=request.POST.get("period_kind", "month"),
                period_start=dt.date.fromisoformat(request.POST.get("period_start", "")),
            )
        except (LedgerError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Choose a valid period start date.")))
        else:
            messages.success(
                request, _("Evaluation computed for %(n)d units.") % {"n": ev.scores.count()}
            )
            return redirect(f"{redirect('ledger:evaluation').url}?id={ev.pk}")
    evaluations = list(Evaluation.objects.all()[:24])
    chosen = None
    if request.GET.get("id", "").isdigit():
        chosen = Evaluation.objects.filter(pk=int(request.GET["id"])).first()
    chosen = chosen or (evaluations[0] if evaluations else None)
    scores = (
        list(
            EvaluationScore.objects.filter(evaluation=chosen)
            .select_related("unit")
            .order_by("rank", "unit_id")
        )
        if chosen
        else []
    )
    today = timezone.localdate()
    return render(
        request,
        "ledger/evaluation.html",
        {
            "evaluations": evaluations,
            "chosen": chosen,
            "scores": scores,
            "can_manage": access.can_manage(request.user),
            "default_start": (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
            "sources": evaluation_mod.source_states(),
        },
    )


@login_required
def evaluation_detail(request, pk, unit_id):
    if not access.sees_all(request.user):
        raise PermissionDenied
    score = (
        EvaluationScore.objects.select_related("evaluation", "unit")
        .filter(evaluation_id=pk, unit_id=unit_id)
        .first()
    )
    if score is None:
        raise Http404
    return render(request, "ledger/evaluation_detail.html", {"score": score})


@login_required
def indicators(request):
    if not access.sees_all(request.user):
        raise PermissionDenied
    rows = list(Indicator.objects.all())
    error = ""
    if request.method == "POST":
        if not access.can_manage(request.user):
            raise PermissionDenied
        weights = {i.code: request.POST.get(f"weight-{i.code}", "") for i in rows}
        active = {i.code: request.POST.get(f"active-{i.code}") == "on" for i in rows}
        try:
            evaluation_mod.set_weights(actor=request.user, weights=weights, active=active)
        except LedgerError as exc:
            error = exc.message
        else:
            messages.success(request, _("Indicator weights saved."))
            return redirect("ledger:indicators")
    if request.method == "POST":  # keep what was typed
        for row in rows:
            row.weight = request.POST.get(f"weight-{row.code}", row.weight)
            row.is_active = request.POST.get(f"active-{row.code}") == "on"
    return render(
        request,
        "ledger/indicators.html",
        {
            "rows": rows,
            "error": error,
            "posted": request.POST,
            "can_manage": access.can_manage(request.user),
            "sources": evaluation_mod.source_states(),
        },
    )
