"""Every write of a one-thing application: one function per step, atomic, guarded, audited.

Locks are always taken in one order — the application row, then its task rows — so two
handlers acting on two items of one application queue behind each other instead of
deadlocking, and the application's overall state is recomputed from a consistent set of tasks.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from banhao.accounts.models import User
from banhao.accounts.roles import DEPARTMENT_ROLES, PUBLIC_ROLES, Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.catalog import definitions
from banhao.catalog.models import ItemRoute, OneThing
from banhao.catalog.services import latest_version
from banhao.core.identifiers import clean_credit_code, clean_id_number
from banhao.core.workdays import add_working_days, working_days_between
from banhao.notifications.services import notify
from banhao.org.models import Department

from . import errors, outbound, prereview, rows, selectors
from .errors import Conflict, OneThingError, PreReviewFailed, TransitionRefused
from .events import TaskApproved, task_approved
from .models import (
    Application,
    Attachment,
    Correction,
    Event,
    MaterialRecord,
    RecordConsent,
    Task,
)
from .states import (
    FINAL_TASK_STATES,
    OPEN_TASK_STATES,
    TASK_TRANSITIONS,
    ApplicationState,
    Channel,
    EventKind,
    TaskState,
)

# Uploads above this are refused before anything is stored, whatever the material allows.
HARD_UPLOAD_LIMIT_MB = 50


def _err(cls, error, **params):
    # The ErrorCode itself, so its own status (e.g. not_yours' 403) travels with it.
    return cls(error, **params)


def _actor_label(actor) -> str:
    if actor is None:
        return ""
    return actor.display_name


def _event(application, kind, *, label: str = "", task=None, note: str = "") -> Event:
    return rows.new(
        Event,
        application_id=application.pk,
        task_id=task.pk if task is not None else None,
        kind=kind,
        actor_label=label,
        note=note,
    )


# --- drafts -------------------------------------------------------------------------------


@dataclass
class ApplicantDetails:
    """Who the application is for, when a clerk applies on someone's behalf."""

    name: str
    identifier: str  # ID number (person) or unified social credit code (enterprise)
    phone: str = ""


def _clean_identifier(value: str) -> str:
    value = (value or "").strip().upper()
    if len(value) == 18 and value[:17].isdigit():
        return clean_id_number(value)
    return clean_credit_code(value)


@transaction.atomic
def start_application(
    *,
    actor: User,
    onething: OneThing,
    applicant: ApplicantDetails | None = None,
    idempotency_key: str = "",
    handling_region=None,
) -> Application:
    """A new draft on the bundle's current version. Online, the applicant is the caller; at a
    window the clerk names the applicant (whose account, if any, is linked so they can follow
    it online). The same idempotency key from the same caller returns the same draft."""
    if idempotency_key:
        existing = Application.objects.filter(
            created_by=actor, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    version = latest_version(onething)
    if version is None:
        raise OneThingError("not_published", _("This one-thing cannot be applied for yet."))
    if actor.role in PUBLIC_ROLES:
        channel, venue, owner = Channel.ONLINE, None, actor
        name = actor.display_name
        identifier = actor.id_number or actor.credit_code
        phone = actor.phone
    elif actor.role == Role.WINDOW_CLERK:
        if applicant is None or not applicant.name.strip() or not applicant.identifier.strip():
            raise _err(OneThingError, errors.APPLICANT_REQUIRED)
        try:
            identifier = _clean_identifier(applicant.identifier)
        except ValidationError as exc:
            raise OneThingError("bad_identifier", " ".join(exc.messages)) from exc
        channel, venue = Channel.WINDOW, actor.venue
        name, phone = applicant.name.strip(), applicant.phone.strip()
        owner = (
            User.objects.filter(id_number=identifier).first()
            or User.objects.filter(credit_code=identifier).first()
        )
    else:
        raise _err(OneThingError, errors.NOT_YOURS)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                onething=onething,
                version=version,
                channel=channel,
                applicant=owner,
                applicant_name=name,
                applicant_identifier=identifier,
                applicant_phone=phone,
                created_by=actor,
                receiving_venue=venue,
                handling_region=handling_region,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: hand back its draft.
        return Application.objects.get(created_by=actor, idempotency_key=idempotency_key)
    rows.insert([_event(application, EventKind.CREATED, label=_actor_label(actor))])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="onething.application_started",
        obj=application,
        subject_key=identifier,
        summary=f"{onething.name} v{version.number} ({channel})",
    )
    return application


def _lock(application_id: int) -> Application:
    application = rows.lock_application(application_id)
    if application is None:
        raise Application.DoesNotExist
    return application


def _lock_draft(actor, application_id: int) -> Application:
    application = _lock(application_id)
    _check_may_edit(actor, application)
    if application.state != ApplicationState.DRAFT:
        raise _err(TransitionRefused, errors.NOT_DRAFT)
    return application


def _check_may_edit(actor, application: Application) -> None:
    """The applicant, the clerk who typed it in, or a clerk of the receiving venue."""
    if actor is None:
        return
    if application.applicant_id == actor.pk or application.created_by_id == actor.pk:
        return
    if (
        actor.role == Role.WINDOW_CLERK
        and application.receiving_venue_id
        and application.receiving_venue_id == actor.venue_id
    ):
        return
    raise _err(OneThingError, errors.NOT_YOURS)


def _check_answers(definition: dict, answers: dict) -> dict:
    questions = {q["key"]: q for q in definition["questions"]}
    clean = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            raise _err(OneThingError, errors.UNKNOWN_QUESTION, key=key)
        if value in (None, ""):
            continue
        allowed = (
            {"yes", "no"}
            if question["kind"] == "yes_no"
            else {c["value"] for c in question["choices"]}
        )
        if value not in allowed:
            raise _err(OneThingError, errors.BAD_ANSWER, value=value, question=question["text"])
        clean[key] = value
    return clean


@transaction.atomic
def save_answers(*, actor, application_id: int, answers: dict) -> Application:
    """Store the questionnaire's answers (all or some); the applicable items follow from them."""
    application = _lock_draft(actor, application_id)
    clean = _check_answers(application.definition, answers)
    before = dict(application.answers)
    application.answers = {**application.answers, **clean}
    application.positions = definitions.applicable_positions(
        application.definition, application.answers
    )
    rows.update(application, ["answers", "positions", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="onething.answers_saved",
        obj=application,
        before=before,
        after=application.answers,
    )
    return application


@transaction.atomic
def save_form(*, actor, application_id: int, data: dict) -> Application:
    """Store form values as typed (checked only by pre-review, so nothing typed is lost)."""
    application = _lock_draft(actor, application_id)
    known = application.definition["fields"]
    for key in data:
        if key not in known:
            raise _err(OneThingError, errors.UNKNOWN_FIELD, key=key)
    application.data = {
        **application.data,
        **{k: str(v if v is not None else "").strip() for k, v in data.items()},
    }
    rows.update(application, ["data", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="onething.form_saved",
        obj=application,
        after={"fields": sorted(data)},
    )
    return application


def _store_file(*, actor, application: Application, code: str, upload) -> Attachment:
    material = application.definition["materials"].get(code)
    if material is None:
        raise _err(OneThingError, errors.UNKNOWN_MATERIAL, material=code)
    if upload.size > HARD_UPLOAD_LIMIT_MB * 1024 * 1024:
        raise _err(OneThingError, errors.FILE_TOO_LARGE, limit=HARD_UPLOAD_LIMIT_MB)
    bad = prereview.check_file(material, upload.name, upload.size)
    if bad:
        raise OneThingError(bad[0], f"{material['name']}: {bad[1]}")
    existing = Attachment.objects.filter(application=application, code=code).first()
    name = PurePath(upload.name).name[:200]
    upload.name = f"{uuid.uuid4().hex}{PurePath(name).suffix.lower()}"
    if existing is not None:
        old = existing.file.name
        existing.file = upload
        existing.original_name = name
        existing.size = upload.size
        existing.uploaded_by = actor
        existing.save()
        if old:
            transaction.on_commit(lambda: existing.file.storage.delete(old))
        attachment = existing
    else:
        attachment = Attachment.objects.create(
            application=application,
            code=code,
            file=upload,
            original_name=name,
            size=upload.size,
            uploaded_by=actor,
        )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="onething.material_uploaded",
        obj=application,
        after={"material": code, "name": name, "size": upload.size},
    )
    return attachment


@transaction.atomic
def attach_material(*, actor, application_id: int, code: str, upload) -> Attachment:
    """Upload (or replace) the one file for a material; its type and size are checked now.
    An upload replaces the record the material was taken from, if any (the applicant's
    choice)."""
    application = _lock_draft(actor, application_id)
    attachment = _store_file(actor=actor, application=application, code=code, upload=upload)
    MaterialRecord.objects.filter(application=application, code=code).delete()
    return attachment


# --- materials taken from government records (免提交, ADR 0019) -----------------------------


@transaction.atomic
def use_records(*, actor, application_id: int, consent: bool) -> RecordConsent:
    """The applicant's one consent (or its withdrawal) for every material their records hold.

    With consent, each such material is attached as a reference to its record (what the record
    showed is kept, for the department) and an upload of it is no longer asked for; the
    consent is stored with its time and the list of records. Without it, the references go and
    the uploads are asked for as before. Only the applicant themself, online, consents."""
    application = _lock_draft(actor, application_id)
    if application.applicant_id != actor.pk:
        raise _err(OneThingError, errors.RECORDS_OWN_ONLY)
    held = selectors.records_on_offer(actor, application) if consent else {}
    if consent and not held:
        raise _err(OneThingError, errors.NO_RECORDS)
    MaterialRecord.objects.filter(application=application).delete()
    given = RecordConsent.objects.create(
        application=application,
        given_by=actor,
        given_at=timezone.now(),
        granted=consent,
        records=[{"code": c, "reference": r.reference} for c, r in sorted(held.items())],
    )
    MaterialRecord.objects.bulk_create(
        MaterialRecord(
            application=application,
            code=code,
            consent=given,
            kind=r.kind,
            holder=r.holder,
            reference=r.reference,
            label=r.label[:100],
            label_en=r.label_en[:160],
            number=r.number[:64],
            issuer=r.issuer[:100],
            issuer_en=r.issuer_en[:160],
        )
        for code, r in sorted(held.items())
    )
    # A material now taken from a record needs no file: the upload goes (after commit).
    replaced = list(Attachment.objects.filter(application=application, code__in=held))
    Attachment.objects.filter(pk__in=[a.pk for a in replaced]).delete()
    names = [a.file.name for a in replaced if a.file.name]
    if names:
        storage = replaced[0].file.storage
        transaction.on_commit(partial(_delete_files, storage, names))
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="onething.records_consented" if consent else "onething.records_declined",
        obj=application,
        subject_key=application.applicant_identifier,
        after={"consent": consent, "records": given.records},
    )
    return given


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def uploads_of(application: Application) -> dict[str, tuple[str, int]]:
    return rows.upload_summary(application.pk)


def review(application: Application) -> list[dict]:
    """Pre-review of a draft: every problem at once (see prereview.review)."""
    uploads, from_records = rows.material_summary(application.pk)
    return prereview.review(
        application.definition,
        application.answers,
        application.data,
        uploads,
        from_records=from_records,
    )


@transaction.atomic
def withdraw(*, actor, application_id: int) -> Application:
    application = _lock_draft(actor, application_id)
    application.state = ApplicationState.WITHDRAWN
    application.save(update_fields=["state", "updated_at"])
    Event.objects.create(
        application=application, kind=EventKind.WITHDRAWN, actor_label=_actor_label(actor)
    )
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="onething.withdrawn",
        obj=application,
        before={"state": ApplicationState.DRAFT},
        after={"state": ApplicationState.WITHDRAWN},
    )
    return application


# --- submission and fan-out -----------------------------------------------------------------


def _route(item: dict, application: Application, routes: dict[int, int]) -> int:
    """The department that handles a row for this application."""
    if item["item_id"] in routes:
        return routes[item["item_id"]]
    if item["department_question"]:
        name = application.answers.get(item["department_question"], "")
        dept = Department.objects.filter(name=name, is_placeholder=False).first()
        if dept is None:
            raise _err(OneThingError, errors.DEPARTMENT_UNRESOLVED, item=item["name"])
        return dept.pk
    return item["department_id"]


@transaction.atomic
def submit(*, actor, application_id: int) -> Application:
    """Submit a draft: pre-review, then one task per applicable item; items that need no other
    item's result start at once, in parallel. Submitting again returns the same application."""
    application = _lock(application_id)
    _check_may_edit(actor, application)
    if application.state != ApplicationState.DRAFT:
        if application.submitted_at is not None:
            return application  # a repeated submit: the one application already fanned out
        raise _err(TransitionRefused, errors.NOT_DRAFT)
    uploads, from_records = rows.material_summary(application.pk)
    definition = application.definition
    problems = prereview.review(
        definition, application.answers, application.data, uploads, from_records=from_records
    )
    if problems:
        raise PreReviewFailed(problems)
    positions = definitions.applicable_positions(definition, application.answers)
    by_position = definitions.items_by_position(definition)
    routes = {}
    if application.handling_region_id:
        routes = dict(
            ItemRoute.objects.filter(
                region_id=application.handling_region_id,
                item_id__in=[by_position[p]["item_id"] for p in positions],
            ).values_list("item_id", "department_id")
        )
    today = timezone.localdate()
    now = timezone.now()
    tasks = []
    for position in positions:
        item = by_position[position]
        deps = definitions.effective_deps(item, positions)
        ready = not deps
        tasks.append(
            rows.new(
                Task,
                application=application,
                position=position,
                item_id=item["item_id"],
                department_id=_route(item, application, routes),
                state=TaskState.READY if ready else TaskState.WAITING,
                depends_on=deps,
                committed_days=item["committed_days"],
                started_on=today if ready else None,
                due_date=add_working_days(today, item["committed_days"]) if ready else None,
            )
        )
    rows.insert(tasks, key="position")
    application.state = ApplicationState.IN_PROGRESS
    application.positions = positions
    application.submitted_at = now
    # The reform figures of this application (四减一增): materials not submitted because a
    # government record holds them count as reduced.
    needed = definitions.merged_materials(definition, positions)
    application.materials_needed = len(needed)
    application.materials_from_records = sum(1 for m in needed if m["code"] in from_records)
    application.due_date = add_working_days(
        today, definitions.critical_path_days(definition["items"], positions)
    )
    events = [_event(application, EventKind.SUBMITTED, label=_actor_label(actor))]
    events += [
        _event(application, EventKind.TASK_STARTED, task=t, note=by_position[t.position]["name"])
        for t in tasks
        if t.state == TaskState.READY
    ]
    with rows.batch():
        rows.queue_update(
            application,
            [
                "state",
                "positions",
                "submitted_at",
                "due_date",
                "materials_needed",
                "materials_from_records",
                "updated_at",
            ],
        )
        rows.queue_insert(events)
        record(
            actor=actor,
            action=AuditAction.TRANSITION,
            event_type="onething.submitted",
            obj=application,
            subject_key=application.applicant_identifier,
            before={"state": ApplicationState.DRAFT},
            after={"state": application.state, "positions": positions},
        )
        with outbound.together():
            for task in tasks:
                if task.state == TaskState.READY:
                    outbound.task_ready(application, task)
    return application


# --- handlers' actions ----------------------------------------------------------------------


def _lock_task(actor, task_id: int, action: str, expected_revision: int | None):
    """Lock the application, then all its tasks (one fixed order); check the handler's unit,
    the revision the handler saw, and the task's state.

    Returns (application, task, siblings by position); the siblings are what dependants and
    the overall state are computed from, so no step reads the tasks twice.
    """
    # Every change to tasks locks their application first, so the tasks read after the lock
    # are current.
    application, siblings = rows.lock_task(task_id)
    if application is None:
        raise Task.DoesNotExist
    task = next(t for t in siblings.values() if t.pk == task_id)
    if actor is not None and not (
        actor.role in DEPARTMENT_ROLES and actor.department_id == task.department_id
    ):
        raise _err(OneThingError, errors.NOT_YOURS)
    if expected_revision is not None and task.revision != expected_revision:
        raise _err(Conflict, errors.TASK_CONFLICT, state=task.get_state_display())
    if task.state not in TASK_TRANSITIONS[action]:
        raise _err(
            TransitionRefused,
            errors.TASK_STATE,
            state=task.get_state_display(),
            action=ACTION_LABELS[action](),
        )
    return application, task, siblings


ACTION_LABELS = {
    "accept": lambda: _("accepted"),
    "approve": lambda: _("approved"),
    "reject": lambda: _("rejected"),
    "request_correction": lambda: _("sent back for correction"),
    "answer_correction": lambda: _("resumed"),
}


def _audit_task(actor, task: Task, event_type: str, before: str, **after) -> None:
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type=event_type,
        obj=task,
        before={"state": before},
        after={"state": task.state, **after},
    )


@transaction.atomic
def accept(*, actor, task_id: int, expected_revision: int | None = None) -> Task:
    application, task, siblings = _lock_task(actor, task_id, "accept", expected_revision)
    before = task.state
    task.state = TaskState.ACCEPTED
    task.handler = actor
    task.accepted_at = timezone.now()
    task.revision += 1
    with rows.batch():
        rows.queue_update(task, ["state", "handler", "accepted_at", "revision"])
        rows.queue_insert([_event(application, EventKind.ACCEPTED, label=_unit(actor), task=task)])
        _audit_task(actor, task, "onething.task_accepted", before)
    return task


def _unit(actor) -> str:
    return actor.unit_label if actor is not None else ""


@transaction.atomic
def approve(*, actor, task_id: int, result: str, expected_revision: int | None = None) -> Task:
    """Approve with the item's result; items waiting for it start when all they need is done."""
    application, task, siblings = _lock_task(actor, task_id, "approve", expected_revision)
    item = definitions.items_by_position(application.definition)[task.position]
    result = (result or "").strip()
    if not re.fullmatch(item["result_pattern"], result):
        raise _err(
            OneThingError,
            errors.BAD_RESULT,
            value=result,
            label=item["result_label"],
            example=item["result_example"],
        )
    before = task.state
    now = timezone.now()
    task.state = TaskState.APPROVED
    task.result = result
    task.handler = task.handler or actor
    task.accepted_at = task.accepted_at or now
    task.finished_at = now
    task.revision += 1
    # Everything from here writes (the last step also notifies): one statement on PostgreSQL.
    # The outbound events (result issued, dependants ready) are one insert among them.
    with rows.batch(), outbound.together():
        rows.queue_update(
            task, ["state", "result", "handler", "accepted_at", "finished_at", "revision"]
        )
        events = [
            _event(
                application, EventKind.APPROVED, label=_unit(actor), task=task, note=item["name"]
            )
        ]
        events += _start_dependants(application, task, siblings)
        rows.queue_insert(events)
        _audit_task(actor, task, "onething.task_approved", before, result=result)
        _refresh(application, actor, siblings)
        outbound.result_issued(application, task)
    # Apps above this one react here, inside this transaction (the archive files a licence or
    # certificate the item issues: 一人一档); see events.py.
    task_approved(
        TaskApproved(
            actor=actor, application=application, task=task, siblings=tuple(siblings.values())
        )
    )
    return task


def _start_dependants(application: Application, done: Task, siblings: dict) -> list[Event]:
    """Tasks waiting on ``done`` whose every dependency is now approved become ready, with the
    results they need passed on."""
    by_position = definitions.items_by_position(application.definition)
    today = timezone.localdate()
    events = []
    for task in siblings.values():
        if task.state != TaskState.WAITING or done.position not in task.depends_on:
            continue
        needs = [siblings[p] for p in task.depends_on]
        if all(n.state == TaskState.APPROVED for n in needs):
            task.state = TaskState.READY
            task.inputs = {str(n.position): n.result for n in needs}
            task.started_on = today
            task.due_date = add_working_days(today, task.committed_days)
            task.revision += 1
            rows.queue_update(task, ["state", "inputs", "started_on", "due_date", "revision"])
            outbound.task_ready(application, task)
            events.append(
                _event(
                    application,
                    EventKind.TASK_STARTED,
                    task=task,
                    note=by_position[task.position]["name"],
                )
            )
    return events


@transaction.atomic
def reject(*, actor, task_id: int, reason: str, expected_revision: int | None = None) -> Task:
    """Refuse an item with a reason; items that needed it are cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise _err(OneThingError, errors.REASON_REQUIRED)
    application, task, siblings = _lock_task(actor, task_id, "reject", expected_revision)
    before = task.state
    task.state = TaskState.REJECTED
    task.reason = reason
    task.handler = task.handler or actor
    task.finished_at = timezone.now()
    task.revision += 1
    rows.update(task, ["state", "reason", "handler", "finished_at", "revision"])
    by_position = definitions.items_by_position(application.definition)
    events = [_event(application, EventKind.REJECTED, label=_unit(actor), task=task, note=reason)]
    # Cancel everything downstream of the refused item, transitively.
    blocked = {task.position}
    changed = True
    while changed:
        changed = False
        for other in siblings.values():
            if other.position in blocked or other.state != TaskState.WAITING:
                continue
            if blocked & set(other.depends_on):
                blocked.add(other.position)
                other.state = TaskState.CANCELLED
                other.reason = _("Needs “%(item)s”, which was rejected.") % {
                    "item": by_position[task.position]["name"]
                }
                other.finished_at = task.finished_at
                other.revision += 1
                rows.update(other, ["state", "reason", "finished_at", "revision"])
                events.append(
                    _event(application, EventKind.CANCELLED, task=other, note=other.reason)
                )
                changed = True
    rows.insert(events)
    _audit_task(actor, task, "onething.task_rejected", before, reason=reason)
    _refresh(application, actor, siblings)
    return task


@transaction.atomic
def request_correction(
    *,
    actor,
    task_id: int,
    message: str,
    fields: Sequence[str] = (),
    materials: Sequence[str] = (),
    expected_revision: int | None = None,
) -> Correction:
    """Send the task back to the applicant (补正); the deadline clock stops until answered."""
    message = (message or "").strip()
    fields, materials = list(fields), list(materials)
    if not message or not (fields or materials):
        raise _err(OneThingError, errors.CORRECTION_EMPTY)
    application, task, siblings = _lock_task(
        actor, task_id, "request_correction", expected_revision
    )
    definition = application.definition
    known_fields = {f["key"] for f in definitions.merged_fields(definition, application.positions)}
    known_materials = {
        m["code"] for m in definitions.merged_materials(definition, application.positions)
    }
    for key in fields:
        if key not in known_fields:
            raise _err(OneThingError, errors.UNKNOWN_FIELD, key=key)
    for code in materials:
        if code not in known_materials:
            raise _err(OneThingError, errors.UNKNOWN_MATERIAL, material=code)
    before = task.state
    task.state = TaskState.CORRECTION
    task.handler = task.handler or actor
    task.paused_on = timezone.localdate()
    task.revision += 1
    rows.update(task, ["state", "handler", "paused_on", "revision"])
    correction = Correction.objects.create(
        task=task,
        application=application,
        requested_by=actor,
        message=message,
        fields=fields,
        materials=materials,
    )
    rows.insert(
        [
            _event(
                application,
                EventKind.CORRECTION_REQUESTED,
                label=_unit(actor),
                task=task,
                note=message,
            )
        ]
    )
    _audit_task(actor, task, "onething.correction_requested", before, message=message)
    _refresh(application, actor, siblings)
    outbound.correction_asked(application, task, correction)
    recipient = rows.get(User, application.applicant_id or application.created_by_id)
    notify(
        recipient=recipient,
        event_key=f"onething.correction.{correction.pk}",
        kind="onething.correction",
        title=_("Correction needed: %(bundle)s") % {"bundle": _bundle_name(application)},
        body=message,
        url=reverse("onething:application", args=[application.pk]),
        channels=("sms",),
    )
    return correction


@transaction.atomic
def answer_correction(
    *, actor, correction_id: int, data: dict, files: dict | None = None
) -> Correction:
    """The applicant supplies what was asked; the same task resumes with the remaining days."""
    files = files or {}
    correction = Correction.objects.select_related("task").get(pk=correction_id)
    application = _lock(correction.application_id)
    _check_may_edit(actor, application)
    correction = Correction.objects.select_for_update().get(pk=correction_id)
    task = Task.objects.select_for_update().get(pk=correction.task_id)
    if correction.answered_at is not None or task.state != TaskState.CORRECTION:
        raise _err(
            TransitionRefused,
            errors.TASK_STATE,
            state=task.get_state_display(),
            action=ACTION_LABELS["answer_correction"](),
        )
    for key in data:
        if key not in correction.fields:
            raise _err(OneThingError, errors.UNKNOWN_FIELD, key=key)
    for code in files:
        if code not in correction.materials:
            raise _err(OneThingError, errors.UNKNOWN_MATERIAL, material=code)
    new_data = {**application.data, **{k: str(v or "").strip() for k, v in data.items()}}
    uploads = uploads_of(application)
    for code, upload in files.items():
        uploads[code] = (upload.name, upload.size)
    problems = prereview.review(
        application.definition,
        application.answers,
        new_data,
        uploads,
        positions=application.positions,
        only_fields=correction.fields,
        only_materials=correction.materials,
    )
    missing_files = [c for c in correction.materials if c not in files]
    for code in missing_files:
        problems.append(
            {
                "target": f"material:{code}",
                "code": "material_missing",
                "message": _("Upload %(name)s again, corrected.")
                % {"name": application.definition["materials"][code]["name"]},
            }
        )
    if problems:
        raise PreReviewFailed(problems)
    application.data = new_data
    application.save(update_fields=["data", "updated_at"])
    for code, upload in files.items():
        _store_file(actor=actor, application=application, code=code, upload=upload)
    today = timezone.localdate()
    remaining = max(0, working_days_between(task.paused_on, task.due_date)) if task.due_date else 0
    task.state = TaskState.ACCEPTED
    task.due_date = add_working_days(today, remaining)
    task.paused_on = None
    task.revision += 1
    task.save(update_fields=["state", "due_date", "paused_on", "revision"])
    correction.answered_at = timezone.now()
    correction.answered_by = actor
    correction.save(update_fields=["answered_at", "answered_by"])
    Event.objects.create(
        application=application,
        task=task,
        kind=EventKind.CORRECTION_ANSWERED,
        actor_label=_actor_label(actor),
    )
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="onething.correction_answered",
        obj=task,
        before={"state": TaskState.CORRECTION},
        after={"state": task.state, "fields": sorted(data), "materials": sorted(files)},
    )
    _refresh(application, actor)
    notify(
        recipient=correction.requested_by,
        event_key=f"onething.correction_answered.{correction.pk}",
        kind="onething.correction_answered",
        title=_("Correction supplied: %(reference)s") % {"reference": application.reference},
        url=reverse("onething:task", args=[task.pk]),
    )
    return correction


def _bundle_name(application: Application) -> str:
    """The bundle's name as published in the application's version (no query)."""
    return application.definition["onething"]["name"]


# --- the application's one status ---------------------------------------------------------


def overall_state(states: list[str]) -> str:
    if any(s == TaskState.CORRECTION for s in states):
        return ApplicationState.CORRECTION
    if any(s in OPEN_TASK_STATES for s in states):
        return ApplicationState.IN_PROGRESS
    if all(s == TaskState.APPROVED for s in states):
        return ApplicationState.COMPLETED
    if any(s == TaskState.APPROVED for s in states):
        return ApplicationState.PARTLY_COMPLETED
    return ApplicationState.REJECTED


def _refresh(application: Application, actor, siblings: dict | None = None) -> None:
    """Recompute the overall state from the tasks; on the last item, notify the result. In a
    ``rows.batch()``, its writes join the step's last ones (the notification is written at
    once)."""
    if siblings is not None:
        states = [t.state for t in siblings.values()]
    else:
        states = list(application.tasks.values_list("state", flat=True))
    new = overall_state(states)
    if new == application.state:
        return
    before = application.state
    application.state = new
    fields = ["state", "updated_at"]
    finished = all(s in FINAL_TASK_STATES for s in states)
    if finished:
        application.finished_at = timezone.now()
        fields.append("finished_at")
    rows.queue_update(application, fields)
    if not finished:
        return
    rows.queue_insert([_event(application, EventKind.FINISHED)])
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="onething.finished",
        obj=application,
        before={"state": before},
        after={"state": new},
    )
    recipient = rows.get(User, application.applicant_id or application.created_by_id)
    notify(
        recipient=recipient,
        event_key=f"onething.result.{application.pk}",
        kind="onething.result",
        title=_("Your result is ready: %(bundle)s") % {"bundle": _bundle_name(application)},
        # The state's own label: get_state_display() translates every choice to find one.
        body=str(ApplicationState(new).label),
        url=reverse("onething:application", args=[application.pk]),
        channels=("sms",),
    )


# --- deadlines ----------------------------------------------------------------------------


def notify_deadlines(*, today=None) -> int:
    """Warn the handlers of open tasks due within a working day, and flag overdue ones.

    Idempotent per task, kind and deadline (the notification centre's event key), so the job
    can run every hour; returns how many notifications were created.
    """
    from banhao.accounts.selectors import unit_staff

    from .selectors import deadline_flag

    today = today or timezone.localdate()
    horizon = add_working_days(today, 1)
    tasks = list(
        Task.objects.filter(
            state__in=[TaskState.READY, TaskState.ACCEPTED], due_date__lte=horizon
        ).select_related("application__onething", "item")
    )
    staff: dict[int, list] = {}
    for user in unit_staff({t.department_id for t in tasks}):
        staff.setdefault(user.department_id, []).append(user)
    created = 0
    for task in tasks:
        flag = deadline_flag(task, today)
        if not flag:
            continue
        recipients = [task.handler] if task.handler_id else staff.get(task.department_id, [])
        title = (
            _("Overdue: %(item)s (%(reference)s)")
            if flag == "overdue"
            else _("Due soon: %(item)s (%(reference)s)")
        ) % {"item": task.item.name, "reference": task.application.reference}
        with transaction.atomic():
            for user in recipients:
                if notify(
                    recipient=user,
                    event_key=f"onething.deadline.{task.pk}.{flag}.{task.due_date}",
                    kind=f"onething.{flag}",
                    title=title,
                    body=_("Due %(date)s.") % {"date": task.due_date.isoformat()},
                    url=reverse("onething:task", args=[task.pk]),
                ):
                    created += 1
    return created
