"""Ledger spreadsheets in the usual 台账 layout: import and export.

Columns: 类别 | 事项 | 年度目标任务 | 推进措施 | 完成时限 | 牵头单位 | 备注, optionally followed by
责任单位 and 条款 (which the export always writes, so an exported ledger imports back without
loss). A title row may stand above the header; the header is found by its first cell "类别".
Category cells may be merged or left empty below the first row of a category, as in Annex 1.
Measures are one cell, one measure per line, numbered "1." "2." …

Import checks every row and cell first and reports each problem with its row and column; only a
file without problems is written, in one transaction (nothing is half-imported).
"""

import calendar
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import openpyxl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.org.selectors import DepartmentDirectory

from . import schedule
from .models import LedgerMeasure, LedgerTask, ProgressReport, Source, TaskEvent, TaskUnit, UnitRole
from .units import resolve_units, township_governments

HEADERS = ["类别", "事项", "年度目标任务", "推进措施", "完成时限", "牵头单位", "备注"]
OPTIONAL_HEADERS = ["责任单位", "条款"]
MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
_MEASURE_START = re.compile(r"^\s*(\d+)\s*[.．、]\s*")
_YEAR_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月(?:底)?$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})(?:年|-|/|\.)(\d{1,2})(?:月|-|/|\.)(\d{1,2})日?$")
_YEAR_END = re.compile(r"^(?:到)?(\d{4})\s*年(?:年底|底)$")


# --- cells -----------------------------------------------------------------------------------


def measures_to_cell(measures) -> str:
    return "\n".join(f"{m.number}.{m.text}" if m.is_numbered else m.text for m in measures)


def measures_from_cell(text: str) -> list[tuple[int, bool, str]]:
    """(number, numbered, text) per measure; unnumbered text is one measure numbered 1."""
    result: list[list] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _MEASURE_START.match(line)
        if match:
            result.append([int(match.group(1)), True, line[match.end() :].strip()])
        elif result:
            result[-1][2] += "\n" + line.strip()
        else:
            result.append([1, False, line.strip()])
    return [tuple(m) for m in result]


def deadline_from_cell(value) -> tuple[str, dt.date | None]:
    """(as written, date) — raises ValueError for text that is not a deadline."""
    if value is None or value == "":
        return "", None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), value
    text = str(value).strip()
    if match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(text)
        return text, dt.date(year, month, calendar.monthrange(year, month)[1])
    if match := _YEAR_MONTH_DAY.match(text):
        return text, dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _YEAR_END.match(text):
        return text, dt.date(int(match.group(1)), 12, 31)
    raise ValueError(text)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- export ----------------------------------------------------------------------------------


def build_workbook(source: Source, tasks) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    columns = HEADERS + OPTIONAL_HEADERS
    ws.append([str(source)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(columns)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F4EFEC")
    rows = list(tasks.prefetch_related("measures").order_by("position"))
    first_of_category = 3
    for index, task in enumerate(rows):
        ws.append(
            [
                task.category,
                task.name,
                task.goal,
                measures_to_cell(task.measures.all()),
                task.deadline_as_written or (task.deadline.isoformat() if task.deadline else ""),
                task.lead_units_as_written,
                task.remarks,
                task.responsible_units_as_written,
                task.clause,
            ]
        )
        row = index + 3
        last = index + 1 == len(rows) or rows[index + 1].category != task.category
        if last:
            if row > first_of_category:
                ws.merge_cells(
                    start_row=first_of_category, start_column=1, end_row=row, end_column=1
                )
            first_of_category = row + 1
    widths = [16, 22, 40, 60, 12, 20, 12, 30, 10]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def export_ledger(*, actor, source: Source, tasks) -> bytes:
    buffer = io.BytesIO()
    build_workbook(source, tasks).save(buffer)
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        event_type="ledger.exported",
        obj=source,
        summary=str(source),
        extra={"tasks": tasks.count()},
    )
    return buffer.getvalue()


# --- import ----------------------------------------------------------------------------------


@dataclass
class Issue:
    row: int
    column: str  # header text, e.g. "牵头单位"; "" for the whole row or file
    message: str

    @property
    def cell(self) -> str:
        if not self.column:
            return ""
        columns = HEADERS + OPTIONAL_HEADERS
        return (
            f"{get_column_letter(columns.index(self.column) + 1)}{self.row}"
            if self.column in columns
            else ""
        )


@dataclass
class ImportResult:
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    source: Source | None = None

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass
class _Row:
    number: int
    category: str
    name: str
    goal: str
    measures: list
    deadline_as_written: str
    deadline: dt.date | None
    lead_as_written: str
    remarks: str
    responsible_as_written: str
    clause: str
    leads: list
    responsible: list


def _read(file, result: ImportResult) -> list[_Row]:
    if getattr(file, "size", 0) > MAX_BYTES:
        result.issues.append(Issue(0, "", _("The file is larger than 10 MB.")))
        return []
    try:
        wb = openpyxl.load_workbook(file, read_only=False, data_only=True)
    except Exception:  # noqa: BLE001 (any unreadable upload gets the same answer)
        result.issues.append(Issue(0, "", _("This is not an Excel .xlsx file that can be read.")))
        return []
    ws = wb.worksheets[0]
    header_row = None
    for r in range(1, min(ws.max_row, 10) + 1):
        if _text(ws.cell(r, 1).value) == HEADERS[0]:
            header_row = r
            break
    if header_row is None:
        result.issues.append(
            Issue(0, "", _("No header row found: the first column's header must be 类别.")),
        )
        return []
    header = [_text(ws.cell(header_row, c).value) for c in range(1, ws.max_column + 1)]
    if header[: len(HEADERS)] != HEADERS:
        result.issues.append(
            Issue(
                header_row,
                "",
                _("The columns must be, in this order: %(columns)s.")
                % {"columns": " | ".join(HEADERS)},
            )
        )
        return []
    optional = {name: header.index(name) + 1 for name in OPTIONAL_HEADERS if name in header}
    if ws.max_row - header_row > MAX_ROWS:
        result.issues.append(
            Issue(0, "", _("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})
        )
        return []

    directory = DepartmentDirectory()
    townships = township_governments()
    rows: list[_Row] = []
    names: dict[str, int] = {}
    category = ""
    for r in range(header_row + 1, ws.max_row + 1):
        values = [ws.cell(r, c).value for c in range(1, len(HEADERS) + 1)]
        extra = {name: _text(ws.cell(r, col).value) for name, col in optional.items()}
        if all(_text(v) == "" for v in values) and not any(extra.values()):
            continue
        result.rows += 1
        cat, name, goal, measures, deadline, lead, remarks = values
        category = _text(cat) or category
        problems: list[Issue] = []
        if not category:
            problems.append(Issue(r, "类别", _("The category is empty.")))
        name = _text(name)
        if not name:
            problems.append(Issue(r, "事项", _("The item is empty.")))
        elif name in names:
            problems.append(
                Issue(
                    r, "事项", _("The same item is already in row %(row)d.") % {"row": names[name]}
                )
            )
        else:
            names[name] = r
        for column, value, limit in (
            ("类别", category, 100),
            ("事项", name, 200),
            ("牵头单位", _text(lead), 300),
        ):
            if len(value) > limit:
                problems.append(Issue(r, column, _("At most %(n)d characters.") % {"n": limit}))
        try:
            deadline_text, deadline_date = deadline_from_cell(deadline)
        except ValueError:
            deadline_text, deadline_date = "", None
            problems.append(
                Issue(r, "完成时限", _("Not a deadline: write it as 2024年9月 or 2024-09-30."))
            )
        unit_lists = {}
        for column, text in (("牵头单位", _text(lead)), ("责任单位", extra.get("责任单位", ""))):
            resolved = resolve_units(text, directory, townships)
            if resolved.unknown:
                problems.append(
                    Issue(
                        r,
                        column,
                        _("Unknown unit: %(names)s.") % {"names": "、".join(resolved.unknown)},
                    )
                )
            unit_lists[column] = resolved.units
        result.issues.extend(problems)
        rows.append(
            _Row(
                number=r,
                category=category,
                name=name,
                goal=_text(goal),
                measures=measures_from_cell(_text(measures)),
                deadline_as_written=deadline_text,
                deadline=deadline_date,
                lead_as_written=_text(lead),
                remarks=_text(remarks),
                responsible_as_written=extra.get("责任单位", ""),
                clause=extra.get("条款", ""),
                leads=unit_lists["牵头单位"],
                responsible=unit_lists["责任单位"],
            )
        )
    if not rows and not result.issues:
        result.issues.append(Issue(0, "", _("The spreadsheet has no task rows.")))
    return rows


def _sync_units(task: LedgerTask, row: _Row) -> None:
    wanted: list[tuple] = []
    lead_ids = set()
    for pos, (phrase, dept) in enumerate(row.leads, start=1):
        lead_ids.add(dept.pk)
        wanted.append((dept, UnitRole.LEAD, pos, phrase))
    pos = 0
    for phrase, dept in row.responsible:
        if dept.pk not in lead_ids:
            pos += 1
            wanted.append((dept, UnitRole.RESPONSIBLE, pos, phrase))
    existing = {link.department_id: link for link in TaskUnit.objects.filter(task=task)}
    keep = set()
    for dept, role, position, phrase in wanted:
        keep.add(dept.pk)
        link = existing.get(dept.pk)
        if link is None:
            TaskUnit.objects.create(
                task=task, department=dept, role=role, position=position, as_written=phrase
            )
        elif (link.role, link.position, link.as_written) != (role, position, phrase):
            link.role, link.position, link.as_written = role, position, phrase
            link.save(update_fields=["role", "position", "as_written"])
    # A unit dropped from the lists leaves the task unless it has reported (its history stays).
    reported = set(ProgressReport.objects.filter(task=task).values_list("unit_id", flat=True))
    TaskUnit.objects.filter(task=task).exclude(department_id__in=keep | reported).delete()


def _fields(row: _Row) -> dict:
    return {
        "category": row.category,
        "goal": row.goal,
        "deadline_as_written": row.deadline_as_written,
        "lead_units_as_written": row.lead_as_written,
        "responsible_units_as_written": row.responsible_as_written,
        "remarks": row.remarks,
        "clause": row.clause,
    }


def import_ledger(*, actor, file, title: str, document: str = "") -> ImportResult:
    """Check the whole file, then write it all in one transaction, or nothing."""
    result = ImportResult()
    rows = _read(file, result)
    if result.issues:
        return result
    with transaction.atomic():
        title = title.strip()
        source = Source.objects.filter(title=title).first()
        if source is None:
            next_id = (Source.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            source = Source.objects.create(
                code=f"import-{next_id}",
                title=title,
                document=document.strip(),
                issued_on=timezone.localdate(),
            )
        result.source = source
        existing = {t.name: t for t in LedgerTask.objects.select_for_update().filter(source=source)}
        position = max([t.position for t in existing.values()], default=0)
        today = timezone.localdate()
        for row in rows:
            task = existing.get(row.name)
            measures = [(n, numbered, text) for n, numbered, text in row.measures]
            if task is None:
                position += 1
                task = LedgerTask.objects.create(
                    source=source,
                    position=position,
                    name=row.name,
                    deadline=row.deadline,
                    starts_on=source.issued_on or today,
                    **_fields(row),
                )
                for n, numbered, text in measures:
                    LedgerMeasure.objects.create(
                        task=task, number=n, is_numbered=numbered, text=text
                    )
                _sync_units(task, row)
                schedule.recompute(task)
                TaskEvent.objects.create(
                    task=task, kind="imported", actor=actor, created_at=timezone.now()
                )
                result.created += 1
                continue
            if (
                not task.deadline_as_written
                and task.deadline
                and row.deadline_as_written == task.deadline.isoformat()
            ):
                row.deadline_as_written = ""  # the export wrote the office's date; not a change
            current = {name: getattr(task, name) for name in _fields(row)}
            current_measures = [
                (m.number, m.is_numbered, m.text) for m in task.measures.order_by("number")
            ]
            links = list(
                TaskUnit.objects.filter(task=task)
                .order_by("role", "position")
                .values_list("department_id", "role")
            )
            wanted_links = sorted(
                [(d.pk, "lead") for _p, d in row.leads]
                + [
                    (d.pk, "responsible")
                    for _p, d in row.responsible
                    if d.pk not in {x.pk for _q, x in row.leads}
                ]
            )
            if (
                current == _fields(row)
                and current_measures == measures
                and sorted(links) == wanted_links
            ):
                result.unchanged += 1
                continue
            changed = [name for name, value in _fields(row).items() if current[name] != value]
            for name in changed:
                setattr(task, name, _fields(row)[name])
            if "deadline_as_written" in changed:
                task.deadline = row.deadline
                changed.append("deadline")
            if changed:
                task.save(update_fields=[*changed, "updated_at"])
            if current_measures != measures:
                task.measures.all().delete()
                for n, numbered, text in measures:
                    LedgerMeasure.objects.create(
                        task=task, number=n, is_numbered=numbered, text=text
                    )
            _sync_units(task, row)
            schedule.recompute(task)
            TaskEvent.objects.create(
                task=task,
                kind="import_updated",
                actor=actor,
                data={"fields": changed},
                created_at=timezone.now(),
            )
            result.updated += 1
        record(
            actor=actor,
            action=AuditAction.CREATE,
            event_type="ledger.imported",
            obj=source,
            summary=f"{getattr(file, 'name', '')}: {result.created} created, {result.updated} updated",
            extra={
                "file": getattr(file, "name", ""),
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result
