"""Reads for the one-thing pages and API, each with a constant number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from banhao.catalog import definitions
from banhao.catalog.models import BundleVersion, OneThing
from banhao.core.workdays import add_working_days

from . import access, rows
from .events import HeldRecord, material_records
from .models import Application, Correction, Event, MaterialRecord, Task
from .states import OPEN_TASK_STATES, QUEUE_STATES, TaskState

WARN_WORKING_DAYS = 1  # flag a task this many working days (or fewer) before its deadline


def published_bundles() -> list[tuple[OneThing, BundleVersion]]:
    """Bundles that can be applied for, with their current version (two queries)."""
    versions = {}
    for v in BundleVersion.objects.order_by("onething_id", "number").only(
        "id", "onething_id", "number", "definition"
    ):
        versions[v.onething_id] = v
    return [
        (o, versions[o.pk])
        for o in OneThing.objects.select_related("county_lead").order_by("number")
        if o.pk in versions
    ]


def bundle(number: int) -> tuple[OneThing, BundleVersion] | None:
    onething = OneThing.objects.select_related("county_lead").filter(number=number).first()
    if onething is None:
        return None
    version = BundleVersion.objects.filter(onething=onething).order_by("-number").first()
    if version is None:
        return None
    return onething, version


def warn_horizon(today: dt.date) -> dt.date:
    """The first due date not flagged "due soon" on ``today``: a task is due soon when at most
    WARN_WORKING_DAYS working days are left, i.e. its due date comes before this one."""
    return add_working_days(today, WARN_WORKING_DAYS + 1)


def deadline_flag(task: Task, today: dt.date | None = None, horizon: dt.date | None = None) -> str:
    """ "overdue", "due_soon" or "" for an open task with a running deadline. A page flagging
    many tasks passes ``horizon`` (``warn_horizon(today)``), computed once."""
    if task.state not in OPEN_TASK_STATES or task.due_date is None:
        return ""
    if task.state == TaskState.CORRECTION:
        return ""  # the clock stops while the applicant corrects
    today = today or timezone.localdate()
    if today > task.due_date:
        return "overdue"
    if task.due_date < (horizon or warn_horizon(today)):
        return "due_soon"
    return ""


def _in_queue() -> RawSQL:
    """``state IN QUEUE_STATES`` with the states written into the SQL, not bound as parameters:
    SQLite uses the partial index ``onething_task_open_queue`` only when it can see that the
    query names the index's states (the states are this module's constants)."""
    qn = connection.ops.quote_name
    states = ", ".join(f"'{state}'" for state in QUEUE_STATES)
    column = f"{qn(Task._meta.db_table)}.{qn('state')}"
    return RawSQL(f"{column} IN ({states})", [], output_field=BooleanField())  # noqa: S611


def queue_queryset(user, state: str = "open") -> QuerySet[Task]:
    """The department's tasks, most urgent first (an open queue reads the partial index in
    order, so its cost does not grow with the number of open tasks)."""
    qs = access.scoped_tasks(Task.objects.all(), user).select_related(
        "application__onething", "application__receiving_venue", "item"
    )
    if state == "open":
        qs = qs.filter(_in_queue())
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("due_date", "id")


def handler_queue(user, *, state: str = "open", limit: int = 50) -> list[Task]:
    """The department's tasks, most urgent first; each carries ``flag``."""
    tasks = list(queue_queryset(user, state)[:limit])
    today = timezone.localdate()
    horizon = warn_horizon(today)
    for task in tasks:
        task.flag = deadline_flag(task, today, horizon)  # type: ignore[attr-defined]
    return tasks


def queue_counts(user) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        access.scoped_tasks(Task.objects.all(), user)
        .filter(state__in=QUEUE_STATES)
        .values("state")
        .annotate(n=Count("id"))
    )
    return {r["state"]: r["n"] for r in rows}


def applications_for(user, limit: int = 100) -> list[Application]:
    return list(
        access.scoped_applications(Application.objects.all(), user)
        .select_related("onething", "receiving_venue")
        .order_by("-id")[:limit]
    )


@dataclass
class ApplicationView:
    application: Application
    definition: dict
    tasks: list[Task]
    events: list[Event]
    open_corrections: list[Correction]
    fields: list[dict]
    materials: list[dict]
    attachments: dict

    @property
    def result_ready(self) -> bool:
        return self.application.finished_at is not None


def application_view(application: Application) -> ApplicationView:
    """Everything the status page shows: tasks with results, timeline, open corrections."""
    tasks = list(application.tasks.select_related("department", "handler").order_by("position"))
    definition = application.definition
    by_position = definitions.items_by_position(definition)
    today = timezone.localdate()
    horizon = warn_horizon(today)
    for task in tasks:
        task.item_def = by_position[task.position]  # type: ignore[attr-defined]
        task.flag = deadline_flag(task, today, horizon)  # type: ignore[attr-defined]
    positions = application.positions or definitions.applicable_positions(
        definition, application.answers
    )
    return ApplicationView(
        application=application,
        definition=definition,
        tasks=tasks,
        events=list(application.events.order_by("id")),
        open_corrections=list(
            application.corrections.filter(answered_at__isnull=True).select_related("task")
        ),
        fields=definitions.merged_fields(definition, positions) if positions else [],
        materials=definitions.merged_materials(definition, positions) if positions else [],
        attachments={a.code: a for a in application.attachments.all()},
    )


@dataclass
class ApplicationDetail:
    tasks: list[Task]  # each with ``item_def``
    events: list[Event]
    open_corrections: list[Correction]
    uploads: list[str]


def application_detail(application: Application) -> ApplicationDetail:
    """What the API's detail answer shows (tasks, timeline, open corrections, uploaded material
    codes), in four plain statements built once (rows.py): it answers every submit and every
    poll of an application's status."""
    by_position = definitions.items_by_position(application.definition)
    tasks = sorted(rows.tasks_of(application).values(), key=lambda t: t.position)
    for task in tasks:
        task.item_def = by_position[task.position]  # type: ignore[attr-defined]
    corrections = rows.children(Correction, "application_id", application.pk)
    return ApplicationDetail(
        tasks=tasks,
        events=rows.children(Event, "application_id", application.pk),
        open_corrections=[c for c in corrections if c.answered_at is None],
        uploads=sorted(rows.upload_summary(application.pk)),
    )


def application_queryset() -> QuerySet[Application]:
    return Application.objects.with_version().select_related(
        "onething", "receiving_venue", "applicant", "handling_region"
    )


def task_queryset() -> QuerySet[Task]:
    return (
        Task.objects.select_related(
            "application__onething",
            "application__version",
            "application__receiving_venue",
            "department",
            "handler",
            "item",
        )
        .defer("application__version__definition")
        .prefetch_related(
            Prefetch(
                "corrections", queryset=Correction.objects.order_by("id"), to_attr="correction_list"
            )
        )
    )


def cross_region_choices(onething: OneThing) -> QuerySet:
    """Regions to which some item of this bundle can be routed (跨域通办), for the clerk."""
    from banhao.catalog.models import ItemRoute
    from banhao.org.models import Region

    return Region.objects.filter(
        pk__in=ItemRoute.objects.filter(item__onething_rows__onething=onething).values("region")
    ).order_by("code", "name")


# --- materials taken from government records (免提交, ADR 0019) -----------------------------


def records_on_offer(user, application: Application) -> dict[str, HeldRecord]:
    """The applicable materials a government record holds for this applicant ({code: record}),
    from the providers of events.py; reads only. Empty for anyone but the applicant online
    (the providers also check that the account's identity is verified)."""
    if application.applicant_id is None or application.applicant_id != user.pk:
        return {}
    wanted = {
        m["code"]: m["record"]
        for m in definitions.merged_materials(application.definition, application.positions)
        if m.get("record")
    }
    return material_records(user, wanted, application)


def record_materials_of(application: Application) -> dict[str, MaterialRecord]:
    """The materials this application took from records, by code (with their consent)."""
    return {
        r.code: r
        for r in MaterialRecord.objects.filter(application=application).select_related("consent")
    }
