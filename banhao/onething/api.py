"""HTTP API of one-thing applications: bundles, drafts, pre-review, submission, status,
corrections and the handlers' queue. Thin: each handler parses, calls one service or selector,
and shapes the answer; a refusal is raised and answered in the API's one error shape
(``banhao.core.api``), with pre-review's ``problems`` listed.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from banhao.accounts.roles import DEPARTMENT_ROLES, PUBLIC_ROLES
from banhao.audit.services import record_personal_data_view
from banhao.catalog import definitions
from banhao.catalog.models import OneThing
from banhao.catalog.services import version_number_of
from banhao.clients import scopes
from banhao.clients.auth import machine
from banhao.core import masking

from . import access, bpmn, errors, selectors, services
from .errors import OneThingError
from .models import Application, Correction, Task

router = Router(tags=["onething"])


class Problem(Schema):
    target: str
    code: str
    message: str


# --- bundles (public) ---------------------------------------------------------------------


class Figures(Schema):
    forms: int
    materials: int
    visits: int
    steps: int
    days: int
    fees: str


class ReformFigures(Schema):
    separate: Figures
    bundled: Figures
    saved: dict[str, int]
    # Materials a verified applicant's records can hold (免提交, taken instead of uploaded).
    records_possible: int = 0


class BundleOut(Schema):
    number: int
    name: str
    name_en: str
    version: int
    items: int
    figures: ReformFigures


class QuestionOut(Schema):
    key: str
    text: str
    text_en: str
    kind: str
    choices: list[dict]


class ItemOut(Schema):
    position: int
    name: str
    name_en: str
    department: str
    department_en: str
    legal_days: int
    committed_days: int
    fee_yuan: str
    result_label: str
    result_label_en: str
    result_example: str
    condition: dict
    condition_text: str
    depends_on: list[int]


class FieldOut(Schema):
    key: str
    label: str
    label_en: str
    kind: str
    choices: list[dict]
    required: bool
    items: list[int]


class MaterialOut(Schema):
    code: str
    name: str
    name_en: str
    file_types: list[str]
    max_size_mb: int
    required: bool
    items: list[int]


class BundleDetailOut(BundleOut):
    questions: list[QuestionOut]
    item_list: list[ItemOut]
    fields: list[FieldOut]
    materials: list[MaterialOut]


def _bundle_out(onething, version, detail: bool = False) -> dict:
    d = version.definition
    out = {
        "number": onething.number,
        "name": onething.name,
        "name_en": onething.name_en,
        "version": version.number,
        "items": len(d["items"]),
        "figures": definitions.reform_figures(d),
    }
    if detail:
        everything = [i["position"] for i in d["items"]]
        out.update(
            questions=d["questions"],
            item_list=d["items"],
            fields=definitions.merged_fields(d, everything),
            materials=definitions.merged_materials(d, everything),
        )
    return out


@router.get("/bundles/", response=list[BundleOut], auth=None)
def list_bundles(request):
    """Bundles that can be applied for, with their reform figures (四减一增)."""
    return [_bundle_out(o, v) for o, v in selectors.published_bundles()]


@router.get("/bundles/{number}/", response=BundleDetailOut, auth=None)
def get_bundle(request, number: int):
    """A bundle's current definition: questionnaire, items, merged form and materials."""
    found = selectors.bundle(number)
    if found is None:
        raise Http404
    return _bundle_out(*found, detail=True)


@router.get("/bundles/{number}/bpmn/", auth=None, response={200: str})
def get_bundle_bpmn(request, number: int):
    """The bundle as a BPMN 2.0 process (XML)."""
    found = selectors.bundle(number)
    if found is None:
        raise Http404
    return HttpResponse(bpmn.export(found[1].definition), content_type="application/xml")


# --- applications -------------------------------------------------------------------------


class ApplicantIn(Schema):
    name: str
    identifier: str
    phone: str = ""


class StartIn(Schema):
    number: int
    idempotency_key: str = ""
    applicant: ApplicantIn | None = None
    handling_region_code: str = ""


class TaskOut(Schema):
    id: int
    position: int
    item: str
    department: str
    state: str
    due_date: dt.date | None
    result: str
    reason: str
    revision: int
    flag: str


class EventOut(Schema):
    kind: str
    note: str
    actor: str
    at: dt.datetime


class CorrectionOut(Schema):
    id: int
    task_id: int
    message: str
    fields: list[str]
    materials: list[str]
    requested_at: dt.datetime
    answered_at: dt.datetime | None


class ApplicationOut(Schema):
    id: int
    reference: str
    bundle: int
    version: int
    state: str
    channel: str
    applicant_name: str
    receiving_venue: str
    answers: dict
    data: dict
    positions: list[int]
    uploads: list[str]
    due_date: dt.date | None
    submitted_at: dt.datetime | None
    finished_at: dt.datetime | None


class ApplicationDetailOut(ApplicationOut):
    tasks: list[TaskOut]
    timeline: list[EventOut]
    open_corrections: list[CorrectionOut]


def _app_out(app: Application, uploads: list[str] | None = None) -> dict:
    return {
        "id": app.pk,
        "reference": app.reference,
        "bundle": app.definition["onething"]["number"],
        "version": version_number_of(app.version_id),
        "state": app.state,
        "channel": app.channel,
        "applicant_name": app.applicant_name,
        "receiving_venue": app.receiving_venue.name if app.receiving_venue_id else "",
        "answers": app.answers,
        "data": app.data,
        "positions": app.positions,
        "uploads": uploads if uploads is not None else sorted(services.uploads_of(app)),
        "due_date": app.due_date,
        "submitted_at": app.submitted_at,
        "finished_at": app.finished_at,
    }


def _department_name(task: Task, item: dict | None) -> str:
    """As named in the version the application follows, unless routed elsewhere (跨域通办)."""
    if item and item.get("department_id") == task.department_id:
        return item["department"]
    return task.department.name


def _task_out(task: Task, item: dict | None = None, horizon: dt.date | None = None) -> dict:
    return {
        "id": task.pk,
        "position": task.position,
        "item": (item or {}).get("name") or task.item.name,
        "department": _department_name(task, item),
        "state": task.state,
        "due_date": task.due_date,
        "result": task.result,
        "reason": task.reason,
        "revision": task.revision,
        "flag": selectors.deadline_flag(task, horizon=horizon),
    }


def _detail(app: Application) -> dict:
    view = selectors.application_detail(app)
    out = _app_out(app, view.uploads)
    horizon = selectors.warn_horizon(timezone.localdate())
    out["tasks"] = [_task_out(t, t.item_def, horizon) for t in view.tasks]
    out["timeline"] = [
        {"kind": e.kind, "note": e.note, "actor": e.actor_label, "at": e.created_at}
        for e in view.events
    ]
    out["open_corrections"] = view.open_corrections
    return out


def _own_application(request, pk: int) -> Application:
    app = access.application_or_404(selectors.application_queryset(), request.user, pk)
    if request.user.role in DEPARTMENT_ROLES:
        raise Http404  # departments work through their tasks
    return app


def _change(request, pk: int, fn, **kwargs):
    """Run a service on a draft. The service checks who may change it; only when it refuses
    is the caller's reach looked up, so an application out of reach still answers 404."""
    try:
        return fn(actor=request.user, application_id=pk, **kwargs)
    except Application.DoesNotExist:
        raise Http404 from None
    except OneThingError as exc:
        if exc.code == errors.NOT_YOURS.code:
            _own_application(request, pk)
        raise


@router.post("/applications/", response={201: ApplicationOut})
def start_application(request, payload: StartIn):
    """Start a draft (online: for yourself; a window clerk: for the named applicant). The
    ``Idempotency-Key`` header (or ``idempotency_key``) makes a retried request return the same
    draft."""
    onething = OneThing.objects.filter(number=payload.number).first()
    if onething is None:
        raise Http404
    region = None
    if payload.handling_region_code:
        from banhao.org.models import Region

        region = Region.objects.filter(code=payload.handling_region_code).first()
        if region is None:
            raise Http404
    key = request.headers.get("Idempotency-Key", "") or payload.idempotency_key
    applicant = services.ApplicantDetails(**payload.applicant.dict()) if payload.applicant else None
    app = services.start_application(
        actor=request.user,
        onething=onething,
        applicant=applicant,
        idempotency_key=key[:64],
        handling_region=region,
    )
    return Status(201, _app_out(app, []))


@router.get("/applications/", response=list[ApplicationOut])
def list_applications(request):
    """Your applications (applicants), your venue's (clerks)."""
    if request.user.role in DEPARTMENT_ROLES:
        return []
    apps = selectors.applications_for(request.user)
    return [_app_out(a, []) for a in apps]


@router.get("/applications/{pk}/", response=ApplicationDetailOut)
def get_application(request, pk: int):
    """One status, every task, the timeline and the corrections waiting for the applicant."""
    app = _own_application(request, pk)
    if request.user.is_staff_role and app.created_by_id != request.user.pk:
        record_personal_data_view(
            actor=request.user,
            subject_key=app.applicant_identifier,
            obj=app,
            fields=["applicant_identifier", "form_data"],
            purpose="api application detail",
        )
    return _detail(app)


class AnswersIn(Schema):
    answers: dict[str, str]


class AnswersOut(Schema):
    positions: list[int]
    items: list[str]


@router.put("/applications/{pk}/answers/", response={200: AnswersOut})
def put_answers(request, pk: int, payload: AnswersIn):
    """Answer the questionnaire (智能导引); returns the items that apply."""
    app = _change(request, pk, services.save_answers, answers=payload.answers)
    by_position = definitions.items_by_position(app.definition)
    return {"positions": app.positions, "items": [by_position[p]["name"] for p in app.positions]}


class FormIn(Schema):
    data: dict[str, str]


@router.put("/applications/{pk}/form/", response={200: ApplicationOut})
def put_form(request, pk: int, payload: FormIn):
    """Save form values as typed; pre-review checks them."""
    app = _change(request, pk, services.save_form, data=payload.data)
    return _app_out(app)


@router.get("/applications/{pk}/fields/", response=list[FieldOut])
def get_fields(request, pk: int):
    """The merged form for the current answers."""
    app = _own_application(request, pk)
    return definitions.merged_fields(app.definition, app.positions)


@router.get("/applications/{pk}/materials/", response=list[MaterialOut])
def get_materials(request, pk: int):
    """The deduplicated materials for the current answers."""
    app = _own_application(request, pk)
    return definitions.merged_materials(app.definition, app.positions)


class UploadOut(Schema):
    code: str
    name: str
    size: int


@router.post("/applications/{pk}/materials/{code}/", response={201: UploadOut})
def upload_material(request, pk: int, code: str, file: File[UploadedFile]):
    """Upload (or replace) the one file for a material."""
    attachment = _change(request, pk, services.attach_material, code=code, upload=file)
    return Status(
        201, {"code": attachment.code, "name": attachment.original_name, "size": attachment.size}
    )


@router.get("/applications/{pk}/prereview/", response=list[Problem])
def prereview(request, pk: int):
    """Pre-review (智能预审): every problem at once (一次性告知); empty when ready to submit."""
    return services.review(_own_application(request, pk))


@router.post("/applications/{pk}/submit/", response={200: ApplicationDetailOut})
def submit(request, pk: int):
    """Submit: fan-out to the departments. Submitting again returns the same application."""
    app = _change(request, pk, services.submit)
    return _detail(app)


@router.post(
    "/applications/{pk}/corrections/{correction_id}/",
    response={200: ApplicationDetailOut},
)
def answer_correction(
    request,
    pk: int,
    correction_id: int,
    data: Form[str] = "{}",
    files: File[list[UploadedFile]] = None,
):
    """Supply a correction: ``data`` is a JSON object of the fields asked for; each file is sent
    under its material code as the file name's stem (e.g. ``mother_id_card.pdf``)."""
    import json

    app = _own_application(request, pk)
    if not Correction.objects.filter(pk=correction_id, application=app).exists():
        raise Http404
    try:
        values = json.loads(data or "{}")
    except ValueError:
        raise OneThingError(errors.BAD_JSON, "data") from None
    uploads = {}
    for f in files or []:
        uploads[f.name.rsplit(".", 1)[0]] = f
    services.answer_correction(
        actor=request.user, correction_id=correction_id, data=values, files=uploads
    )
    app.refresh_from_db()
    return _detail(app)


# --- handlers -----------------------------------------------------------------------------


class QueueTaskOut(TaskOut):
    application_id: int
    reference: str
    bundle: str
    receiving_venue: str


@router.get("/queue/", response=list[QueueTaskOut])
def queue(request, state: str = "open"):
    """The caller's department's tasks, most urgent first, with deadline flags."""
    if request.user.role in PUBLIC_ROLES:
        return []
    return _queue_rows(request.user, state)


def _queue_rows(user, state: str) -> list[dict]:
    out = []
    for t in selectors.handler_queue(user, state=state):
        row = _task_out(t)
        row.update(
            application_id=t.application_id,
            reference=t.application.reference,
            bundle=t.application.onething.name,
            receiving_venue=t.application.receiving_venue.name
            if t.application.receiving_venue_id
            else "",
        )
        out.append(row)
    return out


class TaskDetailOut(TaskOut):
    application_id: int
    reference: str
    applicant_name: str
    applicant_identifier: str
    data: dict
    inputs: dict
    result_label: str
    result_example: str
    corrections: list[CorrectionOut]


@router.get("/tasks/{pk}/", response=TaskDetailOut)
def get_task(request, pk: int, reveal: bool = False):
    """One task with the applicant's data for this item (identifiers masked unless ``reveal``,
    which is audited)."""
    if request.user.role in PUBLIC_ROLES:
        raise Http404
    task = access.task_or_404(selectors.task_queryset(), request.user, pk)
    app = task.application
    d = app.definition
    item = definitions.items_by_position(d)[task.position]
    data = {}
    for f in definitions.merged_fields(d, [task.position]):
        value = app.data.get(f["key"], "")
        if not reveal and f["kind"] in ("id_number", "credit_code", "mobile"):
            value = {
                "id_number": masking.mask_id_number,
                "credit_code": masking.mask_credit_code,
                "mobile": masking.mask_phone,
            }[f["kind"]](value)
        data[f["key"]] = value
    if reveal:
        record_personal_data_view(
            actor=request.user,
            subject_key=app.applicant_identifier,
            obj=app,
            fields=["applicant_identifier", "form_data"],
            purpose=f"api task {task.pk}",
        )
    out = _task_out(task, item)
    out.update(
        application_id=app.pk,
        reference=app.reference,
        applicant_name=app.applicant_name,
        applicant_identifier=app.applicant_identifier
        if reveal
        else masking.mask_id_number(app.applicant_identifier),
        data=data,
        inputs=task.inputs,
        result_label=item["result_label"],
        result_example=item["result_example"],
        corrections=task.correction_list,
    )
    return out


class ActionIn(Schema):
    revision: int | None = None


class ApproveIn(ActionIn):
    result: str


class RejectIn(ActionIn):
    reason: str


class CorrectionIn(ActionIn):
    message: str
    fields: list[str] = []
    materials: list[str] = []


def _act(request, pk: int, fn, **kwargs):
    """Run a handler's step. The service checks the handler's department; only when it refuses
    is the caller's reach looked up, so a task out of reach still answers 404."""
    try:
        done = fn(actor=request.user, task_id=pk, **kwargs)
    except Task.DoesNotExist:
        raise Http404 from None
    except OneThingError as exc:
        if exc.code == errors.NOT_YOURS.code:
            access.task_or_404(Task.objects.all(), request.user, pk)
        raise
    task = done if isinstance(done, Task) else done.task
    item = definitions.items_by_position(task.application.definition)[task.position]
    return _task_out(task, item)


@router.post("/tasks/{pk}/accept/", response={200: TaskOut})
def accept(request, pk: int, payload: ActionIn):
    """Accept a task; with ``revision``, a change by someone else since then is a 409."""
    return _act(request, pk, services.accept, expected_revision=payload.revision)


@router.post("/tasks/{pk}/approve/", response={200: TaskOut})
def approve(request, pk: int, payload: ApproveIn):
    """Approve with the item's result, which flows to the items that need it."""
    return _act(
        request, pk, services.approve, result=payload.result, expected_revision=payload.revision
    )


@router.post("/tasks/{pk}/reject/", response={200: TaskOut})
def reject(request, pk: int, payload: RejectIn):
    """Reject with a reason; items that needed this one are cancelled."""
    return _act(
        request, pk, services.reject, reason=payload.reason, expected_revision=payload.revision
    )


@router.post("/tasks/{pk}/correction/", response={200: TaskOut})
def request_correction(request, pk: int, payload: CorrectionIn):
    """Ask the applicant for a correction (补正); answering it resumes this task."""
    return _act(
        request,
        pk,
        services.request_correction,
        message=payload.message,
        fields=payload.fields,
        materials=payload.materials,
        expected_revision=payload.revision,
    )


# --- department systems (machine clients) ---------------------------------------------------
# The same steps for a department's own system, with an OAuth2 client-credentials token
# (banhao.clients): it acts as its client's service account, a handler of the client's unit, so
# the services above check the unit and the task's state exactly as for a person. A task of
# another unit is refused (403), not hidden: the caller is a known system, and its calls are
# logged.

machine_router = Router(tags=["machine: onething"])


@machine_router.get("/queue/", response=list[QueueTaskOut], **machine(scopes.QUEUE_READ))
def machine_queue(request, state: str = "open"):
    """The client's unit's tasks, most urgent first, with deadline flags."""
    return _queue_rows(request.auth.user, state)


def _machine_act(request, pk: int, fn, **kwargs):
    try:
        done = fn(actor=request.auth.user, task_id=pk, **kwargs)
    except Task.DoesNotExist:
        raise Http404 from None
    task = done if isinstance(done, Task) else done.task
    item = definitions.items_by_position(task.application.definition)[task.position]
    return _task_out(task, item)


@machine_router.post("/tasks/{pk}/accept/", response={200: TaskOut}, **machine(scopes.TASK_DECIDE))
def machine_accept(request, pk: int, payload: ActionIn):
    """Accept a task of the client's unit."""
    return _machine_act(request, pk, services.accept, expected_revision=payload.revision)


@machine_router.post("/tasks/{pk}/approve/", response={200: TaskOut}, **machine(scopes.TASK_DECIDE))
def machine_approve(request, pk: int, payload: ApproveIn):
    """Approve with the item's result (its number, e.g. the licence number), which is filed
    in the holder's archive and flows to the items that need it."""
    return _machine_act(
        request, pk, services.approve, result=payload.result, expected_revision=payload.revision
    )


@machine_router.post("/tasks/{pk}/reject/", response={200: TaskOut}, **machine(scopes.TASK_DECIDE))
def machine_reject(request, pk: int, payload: RejectIn):
    """Reject with a reason; items that needed this one are cancelled."""
    return _machine_act(
        request, pk, services.reject, reason=payload.reason, expected_revision=payload.revision
    )


@machine_router.post(
    "/tasks/{pk}/correction/", response={200: TaskOut}, **machine(scopes.TASK_DECIDE)
)
def machine_correction(request, pk: int, payload: CorrectionIn):
    """Ask the applicant for a correction (补正); answering it resumes this task."""
    return _machine_act(
        request,
        pk,
        services.request_correction,
        message=payload.message,
        fields=payload.fields,
        materials=payload.materials,
        expected_revision=payload.revision,
    )
