"""The Annex 1 seed: ten key tasks, their measures, deadlines and lead units."""

import datetime
import re

import pytest

from banhao.core.seeding import SeedError
from banhao.ledger.models import KeyTask, KeyTaskMeasure
from banhao.ledger.seed import deadline_from_text

pytestmark = pytest.mark.django_db


def test_counts(seeded):
    assert seeded["key_tasks"] == 10
    assert seeded["measures"] == 26
    assert seeded["key_task_lead_units"] == 15
    per_task = [t.measures.count() for t in KeyTask.objects.order_by("number")]
    assert per_task == [3, 3, 2, 3, 2, 2, 3, 5, 2, 1]


def test_names_categories_and_deadlines(seeded):
    got = list(KeyTask.objects.values_list("number", "name", "deadline", "deadline_as_written"))
    sep, dec = datetime.date(2024, 9, 30), datetime.date(2024, 12, 31)
    assert got == [
        (1, "推进线下办事“只进一门”", sep, "2024年9月"),
        (2, "推进线上办事“一网通办”", dec, "2024年12月"),
        (3, "推进“一件事”场景服务", dec, "2024年12月"),
        (4, "推进“相关事一站办”", sep, "2024年9月"),
        (5, "推进“企（人）一档”建设", dec, "2024年12月"),
        (6, "提升跨域办服务水平", dec, "2024年12月"),
        (7, "健全标准规范体系", dec, "2024年12月"),
        (8, "深化热线解决企业群众诉求机制", dec, "2024年12月"),
        (9, "深化热线综合评价机制", dec, "2024年12月"),
        (10, "强化数字机关建设支撑保障", dec, "2024年12月"),
    ]
    categories = list(KeyTask.objects.values_list("category", flat=True))
    assert categories == ["推进政务服务提质增效"] * 7 + ["推进企业群众诉求解决提质增效"] * 2 + [
        "推进组织保障工作提质提效"
    ]


def test_lead_units_in_order(seeded):
    task = KeyTask.objects.get(number=4)
    links = list(task.lead_unit_links.order_by("position").select_related("department"))
    assert [(link.as_written, link.department.name) for link in links] == [
        ("县行政审批服务局", "县行政审批服务局"),
        ("经济开发区管委会", "经济开发区管委会"),
    ]
    assert links[1].department.level == "township"
    hotline = KeyTask.objects.get(number=8)
    assert list(hotline.lead_units.values_list("name", flat=True)) == ["县政府市民投诉中心"]


def test_measures_are_separate_rows_without_markup(seeded):
    first = KeyTaskMeasure.objects.get(key_task__number=1, number=1)
    assert first.text == (
        "根据全省新一轮政务服务事项标准化梳理成果，调整优化进驻政务大厅部门、事项，实现应进必进、"
        "统一受理、一站式办理，并在政务服务中心公示进驻事项清单。"
    )
    three_party = KeyTaskMeasure.objects.get(key_task__number=8, number=5)
    assert three_party.text.startswith("坚持“三方联动”机制")
    assert three_party.text.endswith("共同开展“三方”联合督办。")
    for measure in KeyTaskMeasure.objects.all():
        assert "<" not in measure.text
        assert not re.match(r"\d+\.", measure.text)  # the number is its own field
        assert measure.text_en


def test_task_10_has_one_unnumbered_measure(seeded):
    measures = list(KeyTaskMeasure.objects.filter(key_task__number=10))
    assert len(measures) == 1
    assert measures[0].number == 1
    assert measures[0].is_numbered is False
    assert measures[0].text.startswith("组织全员安装使用“山东通”")
    assert KeyTaskMeasure.objects.filter(is_numbered=False).count() == 1


def test_every_task_has_english(seeded):
    for task in KeyTask.objects.all():
        assert task.name_en and task.category_en and task.annual_goal_en


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年9月", datetime.date(2024, 9, 30)),
        ("2024年12月", datetime.date(2024, 12, 31)),
        ("2024年2月", datetime.date(2024, 2, 29)),
        ("2025年2月", datetime.date(2025, 2, 28)),
    ],
)
def test_deadline_is_the_last_day_of_the_month(text, expected):
    assert deadline_from_text(text) == expected


def test_unrecognised_deadline_is_refused():
    with pytest.raises(SeedError):
        deadline_from_text("2024年底")
