"""台账 spreadsheets: export, import, round trip, per-cell errors, all or nothing."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from banhao.audit.models import AuditRecord
from banhao.ledger import spreadsheet
from banhao.ledger.models import LedgerMeasure, LedgerTask, Source, TaskUnit
from banhao.ledger.tests.factories import office

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[1] / "static" / "ledger" / "annex1_ledger.xlsx"


@pytest.fixture(autouse=True)
def english_messages():
    """These tests compare the English source messages; the site default is zh-hans."""
    with translation.override("en"):
        yield


def upload(wb: openpyxl.Workbook, name: str = "台账.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def sheet(rows, header=spreadsheet.HEADERS) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年重点任务台账"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    return wb


def snapshot(source: Source) -> list:
    out = []
    for task in LedgerTask.objects.filter(source=source).order_by("position"):
        out.append(
            (
                task.category,
                task.name,
                task.goal,
                [(m.number, m.is_numbered, m.text) for m in task.measures.all()],
                task.deadline,
                task.deadline_as_written,
                task.lead_units_as_written,
                task.responsible_units_as_written,
                task.remarks,
                task.clause,
                sorted(TaskUnit.objects.filter(task=task).values_list("department__name", "role")),
            )
        )
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.甲\n2.乙", [(1, True, "甲"), (2, True, "乙")]),
        ("1．甲\n2、乙\n接上", [(1, True, "甲"), (2, True, "乙\n接上")]),
        ("组织全员安装使用", [(1, False, "组织全员安装使用")]),
        ("", []),
    ],
)
def test_measures_cell(text, expected):
    assert spreadsheet.measures_from_cell(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024年9月", ("2024年9月", dt.date(2024, 9, 30))),
        ("2024-09-15", ("2024-09-15", dt.date(2024, 9, 15))),
        ("2024年底", ("2024年底", dt.date(2024, 12, 31))),
        (dt.datetime(2025, 3, 31), ("2025-03-31", dt.date(2025, 3, 31))),
        (None, ("", None)),
    ],
)
def test_deadline_cell(value, expected):
    assert spreadsheet.deadline_from_cell(value) == expected


def test_exported_ledgers_import_back_without_loss(seeded):
    user = office()
    for source in Source.objects.all():
        before = snapshot(source)
        data = spreadsheet.export_ledger(
            actor=user, source=source, tasks=LedgerTask.objects.filter(source=source)
        )
        # Into the same ledger: nothing changes.
        result = spreadsheet.import_ledger(
            actor=user, file=SimpleUploadedFile("x.xlsx", data), title=source.title
        )
        assert result.ok, result.issues
        assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
        assert snapshot(source) == before
        # Into a new ledger: an identical copy.
        copy = spreadsheet.import_ledger(
            actor=user, file=SimpleUploadedFile("x.xlsx", data), title=f"副本 {source.code}"
        )
        assert copy.created == len(before)
        assert snapshot(copy.source) == before
    assert AuditRecord.objects.filter(event_type="ledger.exported").count() == 3


def test_the_shipped_spreadsheet_is_annex_1(seeded):
    source = Source.objects.get(code="annex1")
    wb = openpyxl.load_workbook(SHIPPED)
    expected = spreadsheet.build_workbook(source, LedgerTask.objects.filter(source=source))
    # An empty cell reads back as None.
    assert [[v or "" for v in r] for r in wb.active.iter_rows(values_only=True)] == [
        [v or "" for v in r] for r in expected.active.iter_rows(values_only=True)
    ]
    result = spreadsheet.import_ledger(
        actor=office(),
        file=SimpleUploadedFile("annex1.xlsx", SHIPPED.read_bytes()),
        title="附件1 导入",
    )
    assert result.ok and result.created == 10
    assert snapshot(result.source) == snapshot(source)


def test_a_hand_made_ledger_with_merged_categories_and_township_fan_out(seeded):
    wb = sheet(
        [
            (
                "推进政务服务提质增效",
                "新任务甲",
                "目标甲",
                "1.措施一\n2.措施二",
                "2025年6月",
                "县行政审批服务局",
                "",
            ),
            (
                None,
                "新任务乙",
                "目标乙",
                "只有一条措施",
                "2025-12-31",
                "县大数据中心 县行政审批局",
                "备注乙",
            ),
        ],
        header=spreadsheet.HEADERS + ["责任单位"],
    )
    wb.active.cell(3, 8, "各镇人民政府")
    result = spreadsheet.import_ledger(
        actor=office(), file=upload(wb), title="2025年重点任务", document="源政发〔2025〕1号"
    )
    assert result.ok, result.issues
    a, b = LedgerTask.objects.filter(source=result.source).order_by("position")
    assert (a.category, a.deadline, b.category, b.deadline) == (
        "推进政务服务提质增效",
        dt.date(2025, 6, 30),
        "推进政务服务提质增效",
        dt.date(2025, 12, 31),
    )
    assert list(b.measures.values_list("number", "is_numbered", "text")) == [
        (1, False, "只有一条措施")
    ]
    assert list(b.unit_links.order_by("position").values_list("department__name", flat=True)) == [
        "县大数据中心",
        "县行政审批服务局",
    ]
    assert a.unit_links.filter(role="responsible").count() == 13
    assert result.source.document == "源政发〔2025〕1号"


def test_errors_are_reported_per_row_and_cell_and_nothing_is_imported(seeded):
    tasks_before = LedgerTask.objects.count()
    wb = sheet(
        [
            (
                "推进政务服务提质增效",
                "好的一行",
                "目标",
                "1.措施",
                "2025年6月",
                "县行政审批服务局",
                "",
            ),
            ("推进政务服务提质增效", "", "目标", "", "2025年13月", "县不存在局", ""),
            (
                "推进政务服务提质增效",
                "好的一行",
                "目标",
                "",
                "下个月",
                "县行政审批服务局、县虚构中心",
                "",
            ),
        ]
    )
    result = spreadsheet.import_ledger(actor=office(), file=upload(wb), title="有错的台账")
    assert not result.ok
    assert [(i.row, i.cell, i.column, str(i.message)) for i in result.issues] == [
        (4, "B4", "事项", "The item is empty."),
        (4, "E4", "完成时限", "Not a deadline: write it as 2024年9月 or 2024-09-30."),
        (4, "F4", "牵头单位", "Unknown unit: 县不存在局."),
        (5, "B5", "事项", "The same item is already in row 3."),
        (5, "E5", "完成时限", "Not a deadline: write it as 2024年9月 or 2024-09-30."),
        (5, "F5", "牵头单位", "Unknown unit: 县虚构中心."),
    ]
    assert LedgerTask.objects.count() == tasks_before
    assert not Source.objects.filter(title="有错的台账").exists()
    assert not LedgerMeasure.objects.filter(task__source__title="有错的台账").exists()
    assert not AuditRecord.objects.filter(event_type="ledger.imported").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a spreadsheet", "This is not an Excel .xlsx file that can be read."),
        (None, "No header row found: the first column's header must be 类别."),
    ],
)
def test_unreadable_files_are_refused(db, content, message):
    if content is None:
        wb = openpyxl.Workbook()
        wb.active.append(["事项", "类别"])
        file = upload(wb)
    else:
        file = SimpleUploadedFile("x.xlsx", content)
    result = spreadsheet.import_ledger(actor=office(), file=file, title="t")
    assert [str(i.message) for i in result.issues] == [message]


def test_wrong_column_order_is_refused(db):
    header = ["类别", "事项", "推进措施", "年度目标任务", "完成时限", "牵头单位", "备注"]
    result = spreadsheet.import_ledger(
        actor=office(), file=upload(sheet([], header=header)), title="t"
    )
    assert [str(i.message) for i in result.issues] == [
        "The columns must be, in this order: 类别 | 事项 | 年度目标任务 | 推进措施 | 完成时限 | 牵头单位 | 备注."
    ]


def test_reimport_updates_changed_rows_and_keeps_the_office_deadline(seeded):
    user = office()
    source = Source.objects.get(code="measures")
    task = LedgerTask.objects.get(source=source, position=2)
    LedgerTask.objects.filter(pk=task.pk).update(deadline=dt.date(2025, 3, 31))
    data = spreadsheet.export_ledger(
        actor=user, source=source, tasks=LedgerTask.objects.filter(source=source)
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb.active.cell(4, 7, "新增备注")  # row of measure 2: remarks
    result = spreadsheet.import_ledger(actor=user, file=upload(wb), title=source.title)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 16)
    task.refresh_from_db()
    assert (task.remarks, task.deadline) == ("新增备注", dt.date(2025, 3, 31))
    assert task.events.filter(kind="import_updated").get().data == {"fields": ["remarks"]}
