"""Pages of the hotline: intake, queues, ticket detail with its actions, supervision, duty list,
ranking and reports. Each view parses, calls one service or selector, renders."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banhao.accounts.roles import PUBLIC_ROLES, Role
from banhao.org.models import Department
from banhao.org.selectors import townships

from . import access, dispatch, evaluation, reports, selectors
from .errors import HotlineError, TransitionRefused
from .forms import IntakeForm
from .models import Category, ExtensionRequest, Ruling, Supervision
from .services import duty, handling, rulings
from .services import supervision as supervising
from .services.intake import TicketIntake, answer_directly, register_ticket
from .states import Channel, Resolution, Satisfaction, SupervisionLevel, TicketStatus


def _require(check, user):
    if not check(user):
        raise PermissionDenied


def _units():
    return Department.objects.filter(
        level__in=["county", "township"], is_placeholder=False, is_active=True
    ).order_by("level", "sort_order", "id")


@login_required
def index(request):
    user = request.user
    if access.is_centre(user):
        return redirect("hotline:queue")
    if access.is_unit_staff(user):
        return redirect("hotline:unit_queue")
    if access.is_leader(user):
        return redirect("hotline:ranking")
    return redirect("hotline:my_tickets")


@login_required
def intake(request):
    user = request.user
    centre = access.is_centre(user)
    if not (centre or user.role in PUBLIC_ROLES):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel = (
            Channel.PHONE
            if centre
            # The same page serves phones; a mobile browser files on the mobile channel.
            else (
                Channel.MOBILE if "Mobi" in request.META.get("HTTP_USER_AGENT", "") else Channel.WEB
            )
        )
        try:
            ticket = register_ticket(
                actor=user,
                intake=TicketIntake(
                    channel=channel,
                    requester=None if centre else user,
                    description=data["description"],
                    ticket_type=data["ticket_type"],
                    category=data["category"],
                    urgency=data["urgency"],
                    title=data["title"],
                    town=data["town"],
                    address=data["address"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    anonymous=data["anonymous"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    attachments=data["attachments"],
                ),
            )
        except HotlineError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Ticket %(number)s registered.") % {"number": ticket.number}
            )
            if centre:
                return redirect("hotline:ticket", pk=ticket.pk)
            return redirect("hotline:my_ticket", pk=ticket.pk)
    return render(request, "hotline/intake.html", {"form": form, "centre": centre})


def _page(request, qs, size=30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def queue(request):
    _require(access.is_centre, request.user)
    status = request.GET.get("status") or ""
    if status and status not in TicketStatus.values:
        status = ""
    qs = selectors.centre_queue(status or None).order_by("-created_at", "-id")
    return render(
        request,
        "hotline/queue.html",
        {
            "page": _page(request, qs),
            "status": status,
            "statuses": TicketStatus.choices,
            "now": timezone.now(),
        },
    )


@login_required
def unit_queue(request):
    _require(access.is_unit_staff, request.user)
    qs = selectors.unit_queue(request.user).order_by(
        "-supervision_level", "handle_due", "respond_due", "id"
    )
    supervised = selectors.supervised(request.user.department_id)
    return render(
        request,
        "hotline/unit_queue.html",
        {"page": _page(request, qs), "supervised": supervised[:20], "now": timezone.now()},
    )


@login_required
def my_tickets(request):
    qs = selectors.ticket_queryset().filter(requester=request.user).order_by("-created_at")
    return render(request, "hotline/my_tickets.html", {"page": _page(request, qs)})


@login_required
def my_ticket(request, pk):
    ticket = get_object_or_404(selectors.ticket_queryset(), pk=pk, requester=request.user)
    return render(
        request, "hotline/my_ticket.html", {"ticket": ticket, "events": selectors.timeline(ticket)}
    )


def _detail_context(request, ticket, **extra):
    user = request.user
    suggestions = []
    if access.is_centre(user) and ticket.status in (TicketStatus.REGISTERED, TicketStatus.RETURNED):
        suggestions = dispatch.suggest(
            f"{ticket.title} {ticket.description}", ticket.town_id, ticket.category_id
        )
    context = {
        "ticket": ticket,
        "events": selectors.timeline(ticket),
        "contact": selectors.contact_for(user, ticket),
        "attachments": list(ticket.attachments.all()),
        "repeats": list(ticket.repeats.all()[:10]),
        "supervisions": list(ticket.supervisions.select_related("signed_by")),
        "extensions": list(ticket.extensions.filter(status="pending")),
        "rulings": list(ticket.rulings.filter(status="pending").prefetch_related("parties")),
        "suggestions": suggestions,
        "units": _units(),
        "is_centre": access.is_centre(user),
        "is_supervisor": access.is_supervisor(user),
        "holds": access.holds(user, ticket),
        "is_head": user.role == Role.DEPT_HEAD and access.holds(user, ticket),
        "is_office": access.is_establishment_office(user) or access.is_supervisor(user),
        "satisfactions": Satisfaction.choices,
        "resolutions": Resolution.choices,
        "levels": [c for c in SupervisionLevel.choices if c[0] > ticket.supervision_level],
        "now": timezone.now(),
        "posted": {},
        "action_error": None,
    }
    context.update(extra)
    return context


@login_required
def ticket_detail(request, pk):
    ticket = selectors.ticket_detail(request.user, pk)
    return render(request, "hotline/ticket.html", _detail_context(request, ticket))


def _department(value) -> Department:
    department = _units().filter(pk=value if str(value).isdigit() else 0).first()
    if department is None:
        raise HotlineError(("bad_department", _("Choose a unit.")), "department")
    return department


def _version(post):
    value = post.get("version", "")
    return int(value) if value.isdigit() else None


def _act(action, request, ticket):
    post, user, version = request.POST, request.user, _version(request.POST)
    if action == "dispatch":
        handling.dispatch(
            actor=user,
            ticket=ticket,
            department=_department(post.get("department")),
            note=post.get("note", ""),
            version=version,
        )
        return _("Dispatched.")
    if action == "answer":
        answer_directly(actor=user, ticket=ticket, reply=post.get("reply", ""), version=version)
        return _("Answered and closed.")
    if action == "accept":
        handling.accept(actor=user, ticket=ticket, version=version)
        return _("Accepted. The handling deadline has started.")
    if action == "return":
        handling.return_ticket(
            actor=user, ticket=ticket, reason=post.get("reason", ""), version=version
        )
        return _("Returned to the centre.")
    if action == "extension":
        days = post.get("days", "")
        handling.request_extension(
            actor=user,
            ticket=ticket,
            days=int(days) if days.isdigit() else 0,
            reason=post.get("reason", ""),
            plan=post.get("plan", ""),
        )
        return _("Extension requested.")
    if action == "reply":
        handling.reply(actor=user, ticket=ticket, text=post.get("text", ""), version=version)
        return _("Reply sent.")
    if action == "callback":
        reopen = {"yes": True, "no": False}.get(post.get("reopen", ""))
        ticket = handling.callback(
            actor=user,
            ticket=ticket,
            satisfaction=post.get("satisfaction", ""),
            resolution=post.get("resolution", ""),
            note=post.get("note", ""),
            reopen=reopen,
            version=version,
        )
        return _("Reopened to the unit.") if ticket.status != TicketStatus.CLOSED else _("Closed.")
    if action == "reopen":
        handling.reopen(actor=user, ticket=ticket, reason=post.get("reason", ""), version=version)
        return _("Reopened to the unit.")
    if action == "ruling":
        parties = [_department(v) for v in post.getlist("parties")]
        rulings.request_ruling(
            actor=user, ticket=ticket, parties=parties, question=post.get("question", "")
        )
        return _("Sent to the three-party ruling.")
    if action == "rule":
        ruling = get_object_or_404(Ruling, pk=post.get("ruling") or 0, ticket=ticket)
        rulings.rule(
            actor=user,
            ruling=ruling,
            department=_department(post.get("department")),
            basis=post.get("basis", ""),
            apply_to_duty_list=post.get("duty") == "on",
        )
        return _("Ruling recorded; the ticket went to the unit.")
    if action == "supervise":
        level = post.get("level", "")
        supervising.raise_supervision(
            actor=user,
            ticket=ticket,
            level=int(level) if level.isdigit() else 0,
            reason=post.get("reason", ""),
            attendees=post.get("attendees", ""),
            minutes=post.get("minutes", ""),
        )
        return _("Supervision raised.")
    if action == "grant":
        supervising.grant_contact_access(actor=user, ticket=ticket, purpose=post.get("purpose", ""))
        return _("The unit may see the contact for 72 hours.")
    if action == "refer":
        rulings.refer_to_discipline(
            actor=user,
            ticket=ticket,
            departments=[_department(v) for v in post.getlist("departments")],
            reason=post.get("reason", ""),
        )
        return _("Referred to the discipline inspection commission.")
    if action == "head_callback":
        supervising.record_head_callback(
            actor=user,
            ticket=ticket,
            satisfaction=post.get("satisfaction", ""),
            notes=post.get("notes", ""),
        )
        return _("Head's callback recorded.")
    raise Http404


TEXT_FIELDS = (
    "note",
    "reply",
    "reason",
    "text",
    "question",
    "basis",
    "plan",
    "minutes",
    "notes",
    "purpose",
)


def _typed(post) -> list[str]:
    """Whatever was typed, shown again even if that form no longer applies (nothing is lost)."""
    return [v for k, v in post.items() if k in TEXT_FIELDS and v.strip()]


@login_required
@require_POST
def ticket_action(request, pk, action):
    ticket = selectors.ticket_detail(request.user, pk)
    try:
        message = _act(action, request, ticket)
    except (HotlineError, TransitionRefused, ValueError) as exc:
        message = getattr(exc, "message", str(exc))
        ticket = selectors.ticket_detail(request.user, pk)
        context = _detail_context(
            request,
            ticket,
            posted=request.POST,
            action_error={"action": action, "message": message, "typed": _typed(request.POST)},
        )
        return render(request, "hotline/ticket.html", context, status=400)
    messages.success(request, message)
    return redirect("hotline:ticket", pk=pk)


@login_required
def supervision(request):
    _require(lambda u: access.is_supervisor(u) or access.is_leader(u), request.user)
    now = timezone.now()
    return render(
        request,
        "hotline/supervision.html",
        {
            "overdue": selectors.overdue(now).order_by("handle_due")[:50],
            "supervised": selectors.supervised()[:50],
            "extensions": selectors.pending_extensions(),
            "rulings": selectors.pending_rulings(),
            "signoffs": Supervision.objects.filter(
                level=SupervisionLevel.LEADER_SIGNOFF, signed_at__isnull=True
            ).select_related("ticket", "department"),
            "accuracy": selectors.dispatch_accuracy(),
            "now": now,
        },
    )


@login_required
@require_POST
def supervision_action(request, action):
    user = request.user
    try:
        if action == "run_rules":
            _require(access.is_supervisor, user)
            moved = supervising.apply_supervision_rules()
            messages.success(request, _("%(n)s tickets moved up the ladder.") % {"n": moved})
        elif action == "retrain":
            _require(access.is_supervisor, user)
            model = dispatch.train()
            if model is None:
                messages.warning(request, _("Not enough handled tickets to learn from yet."))
            else:
                messages.success(
                    request, _("Suggestion retrained on %(n)s tickets.") % {"n": model.samples}
                )
        elif action == "extension":
            request_obj = get_object_or_404(ExtensionRequest, pk=request.POST.get("request") or 0)
            handling.decide_extension(
                actor=user,
                request=request_obj,
                approve=request.POST.get("approve") == "yes",
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Extension decided."))
        elif action == "sign":
            supervision_obj = get_object_or_404(
                Supervision, pk=request.POST.get("supervision") or 0
            )
            supervising.sign_off(
                actor=user,
                supervision=supervision_obj,
                instruction=request.POST.get("instruction", ""),
            )
            messages.success(request, _("Signed."))
        else:
            raise Http404
    except HotlineError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "hotline:supervision")


@login_required
def letter(request, pk):
    supervision_obj = get_object_or_404(Supervision.objects.select_related("ticket"), pk=pk)
    access.get_ticket_or_404(request.user, supervision_obj.ticket_id)
    if not supervision_obj.letter:
        raise Http404
    return FileResponse(
        supervision_obj.letter.open("rb"),
        as_attachment=True,
        filename=f"督办函-{supervision_obj.ticket.number}.docx",
    )


@login_required
def duty_list(request):
    _require(lambda u: access.is_centre(u) or access.is_leader(u), request.user)
    if request.method == "POST":
        _require(access.is_supervisor, request.user)
        try:
            category = get_object_or_404(Category, pk=request.POST.get("category") or 0)
            town_id = request.POST.get("town") or ""
            town = townships().filter(pk=town_id).first() if town_id.isdigit() else None
            duty.set_duty(
                actor=request.user,
                category=category,
                town=town,
                department=_department(request.POST.get("department")),
                basis=request.POST.get("basis", ""),
            )
        except HotlineError as exc:
            messages.error(request, exc.message)
        else:
            dispatch.reset()
            messages.success(request, _("Duty list updated."))
        return redirect("hotline:duty_list")
    return render(
        request,
        "hotline/duty_list.html",
        {
            "lines": selectors.duty_list(),
            "categories": selectors.leaf_categories(),
            "towns": townships(),
            "units": _units(),
            "is_supervisor": access.is_supervisor(request.user),
        },
    )


def _period(request):
    period = request.GET.get("period", "month")
    if period not in evaluation.PERIODS:
        period = "month"
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    return period, day


@login_required
def ranking(request):
    _require(lambda u: access.sees_everything(u) or access.is_unit_staff(u), request.user)
    period, day = _period(request)
    start, end, rows = evaluation.ranking_with_flags(period, day)
    return render(
        request,
        "hotline/ranking.html",
        {
            "period": period,
            "day": day,
            "start": start,
            "end": end,
            "rows": rows,
            "periods": [("week", _("Week")), ("month", _("Month")), ("year", _("Year"))],
            "settings": evaluation.current_settings(),
            "signoffs": Supervision.objects.filter(
                level=SupervisionLevel.LEADER_SIGNOFF, signed_at__isnull=True
            ).select_related("ticket", "department")
            if access.is_leader(request.user)
            else [],
        },
    )


@login_required
def ranking_export(request, fmt):
    _require(lambda u: access.sees_everything(u) or access.is_unit_staff(u), request.user)
    period, day = _period(request)
    start, end, rows = evaluation.ranking_with_flags(period, day)
    from banhao.audit.models import AuditAction
    from banhao.audit.services import record

    record(
        actor=request.user,
        action=AuditAction.EXPORT,
        event_type="hotline.ranking.exported",
        object_type="hotline.ranking",
        object_id=f"{period}:{start}",
        summary=fmt,
    )
    name = f"12345-{period}-{start:%Y%m%d}"
    if fmt == "xlsx":
        body = reports.ranking_workbook(period, start, end, rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "docx":
        body = reports.ranking_document(period, start, end, rows)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
