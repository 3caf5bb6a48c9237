"""The working ledger as shipped: Annex 1, the 17 measures and the payment plan's tasks, with
their units, checked against the gazette text itself."""

import datetime
import re

import pytest

from banhao.catalog.tests.gazette import gazette_text
from banhao.core import seeding
from banhao.ledger.models import LedgerTask, Source, TaskUnit
from banhao.org.models import Department
from banhao.portal.seeding import run_all

pytestmark = pytest.mark.django_db

TOWNSHIPS = [
    "南麻街道办事处",
    "历山街道办事处",
    "悦庄镇人民政府",
    "东里镇人民政府",
    "西里镇人民政府",
    "大张庄镇人民政府",
    "中庄镇人民政府",
    "张家坡镇人民政府",
    "燕崖镇人民政府",
    "石桥镇人民政府",
    "鲁村镇人民政府",
    "南鲁山镇人民政府",
    "经济开发区管委会",
]


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines without markdown marks, with page breaks inside a paragraph joined back."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip().lstrip("#").strip()
        if not line:
            continue
        starts = re.match(
            r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+\.)", line
        )
        if starts or not out:
            out.append(line)
        else:
            out[-1] += line
    return out


def measures_from_gazette(text: str) -> list[dict]:
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("## 沂源县深化“高效办成一件事”"))
    rows, category = [], None
    for para in _paragraphs(lines[start + 1 : lines.index("附件：")]):
        head = re.match(r"^[一二三四五六七八九十]+、(.*)$", para)
        if head:
            category = head.group(1)
            continue
        match = re.match(
            r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*?)。(.*)[（(〔](牵头(?:单位|部门))：(.*)[）)〕]$",
            para,
        )
        if not match:
            continue
        lead, _, responsible = match.group(5).partition("；责任单位：")
        rows.append(
            {
                "clause": f"（{match.group(1)}）",
                "category": category,
                "name": match.group(2),
                "goal": match.group(3),
                "lead_label": match.group(4),
                "lead": lead,
                "responsible": responsible,
            }
        )
    return rows


def payment_tasks_from_gazette(text: str) -> list[dict]:
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().endswith("二、主要任务"))
    end = next(i for i, ln in enumerate(lines) if ln.strip().endswith("三、保障措施"))
    rows, section = [], None
    for para in _paragraphs(lines[start + 1 : end]):
        head = re.match(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$", para)
        if head:
            section = head.groups()
            continue
        match = re.match(r"^(\d+)\.\s*(.*?)。(.*)[（(]([^（()）]*)按职责分工负责[）)]$", para)
        assert match, para
        rows.append(
            {
                "clause": f"（{section[0]}）{match.group(1)}",
                "category": section[1],
                "name": match.group(2),
                "goal": match.group(3),
                "responsible": match.group(4),
            }
        )
    return rows


def test_sources_and_counts(seeded):
    assert list(Source.objects.values_list("code", "document")) == [
        ("annex1", "源政发〔2024〕1号"),
        ("measures", "源政发〔2024〕1号"),
        ("payment-plan", "源政办发〔2024〕7号"),
    ]
    per_source = [s.tasks.count() for s in Source.objects.all()]
    assert per_source == [10, 17, 16]


def test_the_17_measures_are_transcribed_exactly(seeded):
    source_rows = measures_from_gazette(gazette_text())
    assert len(source_rows) == 17
    tasks = list(LedgerTask.objects.filter(source__code="measures").order_by("position"))
    for number, (row, task) in enumerate(zip(source_rows, tasks, strict=True), start=1):
        assert task.position == number
        assert task.clause == row["clause"]
        assert task.category == row["category"]
        assert task.name == row["name"]
        assert task.goal == row["goal"]
        assert task.lead_label == row["lead_label"]
        assert task.lead_units_as_written == row["lead"]
        assert task.responsible_units_as_written == row["responsible"]
        assert task.deadline is None and task.deadline_as_written == ""
        assert task.starts_on == datetime.date(2024, 8, 1)


def test_the_payment_plan_tasks_are_transcribed_exactly(seeded):
    source_rows = payment_tasks_from_gazette(gazette_text())
    assert len(source_rows) == 16
    tasks = list(LedgerTask.objects.filter(source__code="payment-plan").order_by("position"))
    for row, task in zip(source_rows, tasks, strict=True):
        assert (task.clause, task.category, task.name, task.goal) == (
            row["clause"],
            row["category"],
            row["name"],
            row["goal"],
        )
        assert task.responsible_units_as_written == row["responsible"]
        assert task.lead_units_as_written == ""
        # Every responsible unit of the plan is a real unit: one link per name, in order.
        links = list(task.unit_links.select_related("department").order_by("position"))
        assert [link.as_written for link in links] == row["responsible"].split("、")
        assert all(link.role == "responsible" for link in links)


def _units(task: LedgerTask, role: str) -> list[str]:
    return list(
        task.unit_links.filter(role=role)
        .order_by("position")
        .values_list("department__name", flat=True)
    )


def test_measure_1_fans_out_to_every_township_government(seeded):
    task = LedgerTask.objects.get(source__code="measures", position=1)
    assert task.lead_units_as_written == "县行政审批服务局"
    assert task.responsible_units_as_written == (
        "县有关部门单位，各镇人民政府（含街道办事处、经济开发区管委会，下同）"
    )
    assert _units(task, "lead") == ["县行政审批服务局"]
    assert _units(task, "responsible") == TOWNSHIPS
    phrases = set(task.unit_links.filter(role="responsible").values_list("as_written", flat=True))
    assert phrases == {"各镇人民政府（含街道办事处、经济开发区管委会，下同）"}


def test_a_lead_township_is_not_repeated_as_responsible(seeded):
    task = LedgerTask.objects.get(source__code="measures", position=4)
    assert _units(task, "lead") == ["县行政审批服务局", "经济开发区管委会"]
    assert _units(task, "responsible") == [t for t in TOWNSHIPS if t != "经济开发区管委会"]


def test_collective_county_departments_name_no_unit(seeded):
    # Measure 五: 责任单位：县有关部门单位 — which departments is not said.
    task = LedgerTask.objects.get(source__code="measures", position=5)
    assert task.responsible_units_as_written == "县有关部门单位"
    assert _units(task, "responsible") == []
    # Measure 十一 has a lead unit only.
    eleven = LedgerTask.objects.get(source__code="measures", position=11)
    assert eleven.responsible_units_as_written == ""
    assert list(eleven.unit_links.values_list("department__name", "role")) == [
        ("县政府市民投诉中心", "lead")
    ]


def test_lead_units_of_every_measure(seeded):
    got = [
        (t.position, t.lead_label, _units(t, "lead"))
        for t in LedgerTask.objects.filter(source__code="measures").order_by("position")
    ]
    approval, data, office, hotline = (
        "县行政审批服务局",
        "县大数据中心",
        "县政府办公室",
        "县政府市民投诉中心",
    )
    assert got == [
        (1, "牵头单位", [approval]),
        (2, "牵头单位", [data, approval]),
        (3, "牵头单位", [approval, data]),
        (4, "牵头单位", [approval, "经济开发区管委会"]),
        (5, "牵头单位", [data]),
        (6, "牵头单位", ["县发展改革局"]),
        (7, "牵头单位", [approval, data]),
        (8, "牵头单位", [approval, "县人力资源社会保障局"]),
        (9, "牵头单位", [approval, office]),
        (10, "牵头单位", [hotline]),
        (11, "牵头单位", [hotline]),
        (12, "牵头单位", [office]),
        (13, "牵头部门", [office]),
        (14, "牵头部门", [office]),
        (15, "牵头单位", [data]),
        (16, "牵头单位", [office, approval]),
        (17, "牵头单位", [office, approval]),
    ]


def test_payment_plan_spellings_resolve_to_the_canonical_units(seeded):
    task = LedgerTask.objects.get(source__code="payment-plan", clause="（三）3")
    assert _units(task, "responsible") == [
        "县商务局",
        "县文化和旅游局",
        "县卫生健康局",
        "中国人民银行淄博市分行沂源营业管理部",
        "国家金融监督管理总局沂源监管支局",
        "国家外汇管理局淄博市分局沂源营业管理部",
    ]
    assert task.unit_links.get(
        department__name="国家外汇管理局淄博市分局沂源营业管理部"
    ).as_written == ("国家外汇管理局淄博市分局沂源营业部")


def test_annex1_tasks_carry_their_deadlines_measures_and_lead_units(seeded):
    task = LedgerTask.objects.get(source__code="annex1", position=4)
    assert task.key_task.number == 4
    assert task.deadline == datetime.date(2024, 9, 30)
    assert task.deadline_as_written == "2024年9月"
    assert _units(task, "lead") == ["县行政审批服务局", "经济开发区管委会"]
    assert [m.number for m in task.measures.all()] == [1, 2, 3]
    assert task.measures.first().text == task.key_task.measures.first().text
    ten = LedgerTask.objects.get(source__code="annex1", position=10)
    assert list(ten.measures.values_list("is_numbered", flat=True)) == [False]


def test_unit_link_totals(seeded):
    assert LedgerTask.objects.count() == 43
    # Annex 1: 15 lead links. Measures: 25 lead links; 13 measures name 各镇人民政府, and
    # measure 四's lead township is not repeated. Payment plan: 72 named responsible units.
    assert TaskUnit.objects.filter(task__source__code="annex1").count() == 15
    assert TaskUnit.objects.filter(task__source__code="measures", role="lead").count() == 25
    assert TaskUnit.objects.filter(task__source__code="measures", role="responsible").count() == (
        13 * 13 - 1
    )
    assert TaskUnit.objects.filter(task__source__code="payment-plan").count() == 72
    assert not TaskUnit.objects.filter(department__is_placeholder=True).exists()
    assert Department.objects.filter(level="township").count() == 13


def test_loading_again_changes_nothing_and_keeps_the_office_schedule(seeded):
    task = LedgerTask.objects.get(source__code="payment-plan", position=1)
    LedgerTask.objects.filter(pk=task.pk).update(
        deadline=datetime.date(2024, 12, 31), cycle="monthly", name="edited"
    )
    tally = seeding.Tally()
    run_all(tally=tally)
    assert dict(tally.updated) == {"ledger_tasks": 1}
    assert not tally.created
    task.refresh_from_db()
    assert task.name == "提升重点场景银行卡受理覆盖率"
    assert (task.deadline, task.cycle) == (datetime.date(2024, 12, 31), "monthly")
    again = seeding.Tally()
    run_all(tally=again)
    assert again.changed == 0
