"""Pages: public bundle pages, the applicant's and the clerk's journey, the handler's queue.

Views parse input, call one service or selector, and render; every rule lives in services.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banhao.accounts.identity import holder_key
from banhao.accounts.roles import DEPARTMENT_ROLES, PUBLIC_ROLES, Role
from banhao.audit.services import record_personal_data_view
from banhao.catalog import definitions
from banhao.core import masking

from . import access, bpmn, events, selectors, services
from .errors import OneThingError, PreReviewFailed
from .models import Application, Correction
from .states import ApplicationState, TaskState


def localized_label(entry: dict) -> str:
    from django.utils import translation

    if (translation.get_language() or "").startswith("en"):
        return entry.get("label_en") or entry["label"]
    return entry["label"]


MASKERS = {
    "id_number": masking.mask_id_number,
    "credit_code": masking.mask_credit_code,
    "mobile": masking.mask_phone,
}


def _bundle_or_404(number: int):
    found = selectors.bundle(number)
    if found is None:
        raise Http404
    return found


# --- public -------------------------------------------------------------------------------


def bundle_list(request):
    rows = [
        {
            "onething": o,
            "version": v,
            "figures": definitions.reform_figures(v.definition),
        }
        for o, v in selectors.published_bundles()
    ]
    return render(request, "onething/bundle_list.html", {"rows": rows})


def bundle_detail(request, number: int):
    onething, version = _bundle_or_404(number)
    d = version.definition
    all_positions = [i["position"] for i in d["items"]]
    return render(
        request,
        "onething/bundle_detail.html",
        {
            "onething": onething,
            "version": version,
            "definition": d,
            "figures": definitions.reform_figures(d),
            "materials": definitions.merged_materials(d, all_positions),
            "items": d["items"],
            "can_apply": request.user.is_authenticated and request.user.role in PUBLIC_ROLES,
            "is_clerk": request.user.is_authenticated and request.user.role == Role.WINDOW_CLERK,
        },
    )


def bundle_bpmn(request, number: int):
    onething, version = _bundle_or_404(number)
    response = HttpResponse(bpmn.export(version.definition), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="onething-{number}.bpmn"'
    return response


# --- starting and filling in --------------------------------------------------------------


@login_required
def start(request, number: int):
    onething, _version = _bundle_or_404(number)
    user = request.user
    if user.role not in PUBLIC_ROLES and user.role != Role.WINDOW_CLERK:
        raise Http404
    regions = list(selectors.cross_region_choices(onething))
    context = {"onething": onething, "values": {}, "error": "", "regions": regions}
    if request.method == "POST":
        applicant = None
        region_id = request.POST.get("handling_region", "")
        region = next((r for r in regions if str(r.pk) == region_id), None)
        if user.role == Role.WINDOW_CLERK:
            context["values"] = {
                k: request.POST.get(k, "") for k in ("name", "identifier", "phone")
            }
            applicant = services.ApplicantDetails(**context["values"])
            context["values"]["handling_region"] = region_id
        try:
            application = services.start_application(
                actor=user,
                onething=onething,
                applicant=applicant,
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
                handling_region=region,
            )
        except OneThingError as exc:
            context["error"] = exc.message
        else:
            return redirect("onething:questions", application.pk)
    elif user.role in PUBLIC_ROLES:
        return redirect("onething:bundle", number)
    return render(
        request, "onething/clerk_start.html", context, status=400 if context["error"] else 200
    )


def _draft_or_redirect(request, pk: int):
    application = access.application_or_404(selectors.application_queryset(), request.user, pk)
    if application.state != ApplicationState.DRAFT:
        return application, redirect("onething:application", pk)
    return application, None


@login_required
def questions(request, pk: int):
    application, gone = _draft_or_redirect(request, pk)
    if gone:
        return gone
    d = application.definition
    error = ""
    if request.method == "POST":
        answers = {q["key"]: request.POST.get(q["key"], "") for q in d["questions"]}
        try:
            services.save_answers(actor=request.user, application_id=pk, answers=answers)
        except OneThingError as exc:
            error = exc.message
        else:
            return redirect("onething:form", pk)
    positions = definitions.applicable_positions(d, application.answers)
    return render(
        request,
        "onething/questions.html",
        {
            "application": application,
            "questions": d["questions"],
            "answers": application.answers,
            "items": [i for i in d["items"] if i["position"] in positions],
            "error": error,
        },
    )


def _errors_by_target(problems: list[dict]) -> dict[str, list[str]]:
    """Each problem beside its field, without repeating the field's label."""
    by_target: dict[str, list[str]] = {}
    for p in problems:
        by_target.setdefault(p["target"], []).append(p.get("detail") or p["message"])
    return by_target


def _form_rows(view, problems: list[dict], prefill: dict) -> tuple[list[dict], list[dict]]:
    by_target = _errors_by_target(problems)
    keys = [f["key"] for f in view.fields]
    merged = events.merge_prefill(view.application.data, prefill, keys)
    fields = [
        {
            **f,
            "value": merged[f["key"]][0],
            "from_archive": merged[f["key"]][1],
            "errors": by_target.get(f"field:{f['key']}", []),
        }
        for f in view.fields
    ]
    materials = [
        {
            **m,
            "upload": view.attachments.get(m["code"]),
            "errors": by_target.get(f"material:{m['code']}", []),
            "accept": ",".join(f".{t}" for t in m["file_types"]),
        }
        for m in view.materials
    ]
    return fields, materials


def masked_record_number(kind: str, number: str) -> str:
    """A record's number as the applicant's form and a staff page without purpose show it."""
    if kind in ("identity", "household"):
        return masking.mask_id_number(number)
    return masking.mask_document_number(number)


def _records_context(user, application: Application, view, materials: list[dict]) -> dict:
    """The records block of the form (免提交): what is taken from records, what could be (for
    one consent), and for an unverified applicant how many verification would spare."""
    used = selectors.record_materials_of(application)
    offer: dict = {}
    own = application.applicant_id == user.pk
    if own and holder_key(user):
        offer = selectors.records_on_offer(user, application)
    for m in materials:
        taken = used.get(m["code"])
        held = taken or offer.get(m["code"])
        m["record"] = (
            {
                "label": held.label,
                "label_en": held.label_en,
                "number": masked_record_number(held.kind, held.number),
                "issuer": held.issuer,
                "issuer_en": held.issuer_en,
            }
            if held
            else None
        )
        m["from_record"] = taken is not None
    possible = len(definitions.record_materials(view.materials))
    return {
        "records_used": len(used),
        "records_offered": [m for m in materials if m["record"]] if offer or used else [],
        "records_consent": used and next(iter(used.values())).consent,
        "verify_hint": possible if own and not holder_key(user) and user.is_public else 0,
    }


def _prefill(user, application: Application, keys: list[str]) -> events.FormPrefill:
    """What the applicant's archive already knows (智能预填, from the providers registered in
    events.py); a clerk's look is audited."""
    prefill = events.form_prefill(user, keys, application)
    if prefill.values and user.is_staff_role:
        record_personal_data_view(
            actor=user,
            subject_key=application.applicant_identifier,
            obj=application,
            fields=sorted(prefill.values),
            purpose=f"prefill {application.reference}",
        )
    return prefill


@login_required
def form(request, pk: int):
    """The merged form and the deduplicated materials on one page; every POST saves first, so
    nothing typed is lost, then pre-review reports every problem at once."""
    application, gone = _draft_or_redirect(request, pk)
    if gone:
        return gone
    if not application.positions:
        messages.warning(
            request, _("Answer the questions first; they decide which services apply.")
        )
        return redirect("onething:questions", pk)
    problems: list[dict] = []
    if request.method == "POST":
        view = selectors.application_view(application)
        keys = [f["key"] for f in view.fields]
        services.save_form(
            actor=request.user,
            application_id=pk,
            data={k: request.POST.get(k, "") for k in keys if k in request.POST},
        )
        # One consent for every record on offer: the box was shown, and its state changed.
        if request.POST.get("records_shown") == "1":
            consent = request.POST.get("use_records") == "1"
            if consent != (request.POST.get("records_used") == "1"):
                try:
                    services.use_records(actor=request.user, application_id=pk, consent=consent)
                except OneThingError as exc:
                    problems.append({"target": "records", "code": exc.code, "message": exc.message})
        for code, upload in request.FILES.items():
            try:
                services.attach_material(
                    actor=request.user, application_id=pk, code=code, upload=upload
                )
            except OneThingError as exc:
                problems.append(
                    {"target": f"material:{code}", "code": exc.code, "message": exc.message}
                )
        application.refresh_from_db()
        action = request.POST.get("action", "save")
        if action in ("review", "submit"):
            problems += [
                p
                for p in services.review(application)
                if p["target"] not in {q["target"] for q in problems}
            ]
        if action == "submit" and not problems:
            try:
                services.submit(actor=request.user, application_id=pk)
            except PreReviewFailed as exc:
                problems = exc.problems
            else:
                messages.success(request, _("Submitted. Each department now handles its part."))
                return redirect("onething:application", pk)
        elif action == "save" and not problems:
            messages.success(request, _("Draft saved."))
            return redirect("onething:form", pk)
        elif action == "review" and not problems:
            messages.success(request, _("Pre-review found no problems. You can submit now."))
    view = selectors.application_view(application)
    prefill = _prefill(request.user, application, [f["key"] for f in view.fields])
    fields, materials = _form_rows(view, problems, prefill.values)
    return render(
        request,
        "onething/form.html",
        {
            **_records_context(request.user, application, view, materials),
            "application": application,
            "view": view,
            "fields": fields,
            "materials": materials,
            "problems": problems,
            "renewal": prefill.renews,
            "prefilled": sum(1 for f in fields if f["from_archive"]),
            "items": [
                t for t in view.definition["items"] if t["position"] in application.positions
            ],
        },
        status=422 if problems else 200,
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    access.application_or_404(selectors.application_queryset(), request.user, pk)
    try:
        services.withdraw(actor=request.user, application_id=pk)
    except OneThingError as exc:
        messages.error(request, exc.message)
    return redirect("onething:applications")


# --- status, timeline, result -------------------------------------------------------------


@login_required
def applications(request):
    return render(
        request,
        "onething/applications.html",
        {"applications": selectors.applications_for(request.user)},
    )


def _audit_view(request, application: Application, purpose: str) -> None:
    if request.user.is_staff_role and application.created_by_id != request.user.pk:
        record_personal_data_view(
            actor=request.user,
            subject_key=application.applicant_identifier,
            obj=application,
            fields=["applicant_identifier", "form_data"],
            purpose=purpose,
        )


@login_required
def application(request, pk: int):
    app = access.application_or_404(selectors.application_queryset(), request.user, pk)
    if app.state == ApplicationState.DRAFT:
        return redirect("onething:form" if app.positions else "onething:questions", pk)
    # Department staff see their own part through their task page, not the whole application.
    if request.user.role in DEPARTMENT_ROLES:
        raise Http404
    view = selectors.application_view(app)
    _audit_view(request, app, "application status")
    return render(request, "onething/application.html", {"view": view, "app": app})


@login_required
def correction(request, pk: int, correction_id: int):
    app = access.application_or_404(selectors.application_queryset(), request.user, pk)
    corr = (
        Correction.objects.filter(pk=correction_id, application=app).select_related("task").first()
    )
    if corr is None or request.user.role in DEPARTMENT_ROLES:
        raise Http404
    view = selectors.application_view(app)
    problems: list[dict] = []
    values = {k: app.data.get(k, "") for k in corr.fields}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in corr.fields}
        files = {c: request.FILES[c] for c in corr.materials if c in request.FILES}
        try:
            services.answer_correction(
                actor=request.user, correction_id=corr.pk, data=values, files=files
            )
        except PreReviewFailed as exc:
            problems = exc.problems
        except OneThingError as exc:
            problems = [{"target": "", "code": exc.code, "message": exc.message}]
        else:
            messages.success(
                request, _("Thank you. The department continues with your application.")
            )
            return redirect("onething:application", pk)
    by_target = _errors_by_target(problems)
    fields = [
        {**f, "value": values.get(f["key"], ""), "errors": by_target.get(f"field:{f['key']}", [])}
        for f in view.fields
        if f["key"] in corr.fields
    ]
    materials = [
        {
            **m,
            "errors": by_target.get(f"material:{m['code']}", []),
            "accept": ",".join(f".{t}" for t in m["file_types"]),
        }
        for m in view.materials
        if m["code"] in corr.materials
    ]
    return render(
        request,
        "onething/correction.html",
        {
            "app": app,
            "correction": corr,
            "item": view.definition
            and definitions.items_by_position(view.definition)[corr.task.position],
            "fields": fields,
            "materials": materials,
            "problems": problems,
            "answered": corr.answered_at is not None,
        },
        status=422 if problems else 200,
    )


@login_required
def material(request, pk: int, code: str):
    app = access.application_or_404(selectors.application_queryset(), request.user, pk)
    attachment = app.attachments.filter(code=code).first()
    if attachment is None:
        raise Http404
    _audit_view(request, app, f"material {code}")
    return FileResponse(attachment.file.open("rb"), filename=attachment.original_name)


# --- handlers -----------------------------------------------------------------------------


@login_required
def queue(request):
    if request.user.role not in DEPARTMENT_ROLES and not request.user.role == Role.WINDOW_CLERK:
        raise Http404
    state = request.GET.get("state", "open")
    if state not in {"open", "", *TaskState.values}:
        state = "open"
    return render(
        request,
        "onething/queue.html",
        {
            "tasks": selectors.handler_queue(request.user, state=state),
            "counts": selectors.queue_counts(request.user),
            "state": state,
            "states": TaskState.choices,
        },
    )


def _task_form_context(request, task, reveal: bool) -> dict:
    app = task.application
    d = app.definition
    item = definitions.items_by_position(d)[task.position]
    fields = []
    for ref in definitions.merged_fields(d, [task.position]):
        value = app.data.get(ref["key"], "")
        if not reveal and ref["kind"] in MASKERS:
            value = MASKERS[ref["kind"]](value)
        elif ref["kind"] == "choice":
            labels = {c["value"]: localized_label(c) for c in ref["choices"]}
            value = labels.get(value, value)
        fields.append({**ref, "value": value})
    materials = definitions.merged_materials(d, [task.position])
    uploads = {a.code: a for a in app.attachments.all()}
    # Materials taken from a government record (免提交): the reference, masked unless the
    # handler opened the page with a purpose (an audited view, below).
    records = {}
    for code, r in selectors.record_materials_of(app).items():
        records[code] = {
            "label": r.label,
            "label_en": r.label_en,
            "issuer": r.issuer,
            "issuer_en": r.issuer_en,
            "reference": r.reference,
            "number": r.number if reveal else masked_record_number(r.kind, r.number),
            "consented_at": r.consent.given_at,
        }
    inputs = [
        {
            "position": int(p),
            "name": definitions.items_by_position(d)[int(p)]["name"],
            "label": definitions.items_by_position(d)[int(p)]["result_label"],
            "result": r,
        }
        for p, r in sorted(task.inputs.items())
    ]
    return {
        "task": task,
        "app": app,
        "item": item,
        "fields": fields,
        "materials": [
            {**m, "upload": uploads.get(m["code"]), "record": records.get(m["code"])}
            for m in materials
        ],
        "inputs": inputs,
        "reveal": reveal,
        "flag": selectors.deadline_flag(task),
        "can_act": access.is_handler_of(request.user, task),
        "identifier": app.applicant_identifier
        if reveal
        else masking.mask_id_number(app.applicant_identifier),
        # A department asks to correct what its own item needs.
        "all_fields": definitions.merged_fields(d, [task.position]),
        "all_materials": materials,
    }


@login_required
def task(request, pk: int):
    t = access.task_or_404(selectors.task_queryset(), request.user, pk)
    if request.user.role in PUBLIC_ROLES:
        raise Http404
    reveal = request.GET.get("reveal") == "1"
    error, status = "", 200
    if request.method == "POST":
        if not access.is_handler_of(request.user, t):
            raise Http404
        action = request.POST.get("action")
        revision = request.POST.get("revision")
        expected = int(revision) if revision and revision.isdigit() else None
        try:
            if action == "accept":
                services.accept(actor=request.user, task_id=pk, expected_revision=expected)
                messages.success(request, _("Accepted."))
            elif action == "approve":
                services.approve(
                    actor=request.user,
                    task_id=pk,
                    result=request.POST.get("result", ""),
                    expected_revision=expected,
                )
                messages.success(request, _("Approved; the result is passed on."))
            elif action == "reject":
                services.reject(
                    actor=request.user,
                    task_id=pk,
                    reason=request.POST.get("reason", ""),
                    expected_revision=expected,
                )
                messages.success(request, _("Rejected; the applicant is told why."))
            elif action == "correction":
                services.request_correction(
                    actor=request.user,
                    task_id=pk,
                    message=request.POST.get("message", ""),
                    fields=request.POST.getlist("fields"),
                    materials=request.POST.getlist("materials"),
                    expected_revision=expected,
                )
                messages.success(request, _("Sent back to the applicant for correction."))
            else:
                raise Http404
        except OneThingError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("onething:task", pk)
        t = access.task_or_404(selectors.task_queryset(), request.user, pk)
    if reveal:
        record_personal_data_view(
            actor=request.user,
            subject_key=t.application.applicant_identifier,
            obj=t.application,
            fields=["applicant_identifier", "form_data", "material_records"],
            purpose=f"task {t.pk}",
        )
    context = _task_form_context(request, t, reveal)
    context["error"] = error
    context["posted"] = request.POST if error else {}
    return render(request, "onething/task.html", context, status=status)
