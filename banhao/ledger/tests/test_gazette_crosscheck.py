"""Every row of Annex 1, parsed from the gazette text itself, against the seeded ledger."""

import re

import pytest

from banhao.catalog.tests.gazette import gazette_text
from banhao.ledger.models import KeyTask
from banhao.org.selectors import resolve_department

pytestmark = pytest.mark.django_db


def split_measures(cell: str) -> list[tuple[int, bool, str]]:
    """(number, printed with a number, text) for each measure of a 推进措施 cell."""
    if "<li>" in cell:
        parts = re.findall(r"<li>(.*?)</li>", cell, re.S)
    else:
        parts = re.split(r"\s+(?=\d+\.)", cell.strip())
    measures = []
    for part in parts:
        match = re.match(r"(\d+)\.(.*)", part.strip(), re.S)
        if match:
            measures.append((int(match.group(1)), True, match.group(2).strip()))
        else:
            measures.append((len(measures) + 1, False, part.strip()))
    return measures


def annex1_rows(text: str) -> list[dict]:
    lines = text.split("\n")
    rows: list[dict] = []
    category = None
    for line in lines[lines.index("附件1") : lines.index("附件2")]:
        if "\t" not in line:
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if cells[0] == "类别":
            continue  # header, repeated on every page
        assert len(cells) == 7, line
        category = cells[0] or category
        rows.append(
            {
                "category": category,
                "name": cells[1],
                "goal": cells[2],
                "measures": split_measures(cells[3]),
                "deadline": cells[4],
                "lead_units": cells[5],
                "remarks": cells[6],
            }
        )
    return rows


def test_annex1_parses_to_10_tasks():
    assert len(annex1_rows(gazette_text())) == 10


def test_every_annex1_row_is_seeded_as_written(seeded):
    rows = annex1_rows(gazette_text())
    tasks = list(KeyTask.objects.prefetch_related("measures", "lead_unit_links__department"))
    assert len(tasks) == len(rows)
    for number, (source, task) in enumerate(zip(rows, tasks, strict=True), start=1):
        assert task.number == number
        assert task.category == source["category"]
        assert task.name == source["name"]
        assert task.annual_goal == source["goal"]
        assert task.deadline_as_written == source["deadline"]
        assert task.lead_units_as_written == source["lead_units"]
        assert task.remarks == source["remarks"]
        links = list(task.lead_unit_links.order_by("position"))
        assert [link.as_written for link in links] == source["lead_units"].split()
        for link in links:
            assert resolve_department(link.as_written) == link.department
        measures = [(m.number, m.is_numbered, m.text) for m in task.measures.order_by("number")]
        assert measures == source["measures"], task.name
        for _number, _numbered, text in measures:
            assert "<" not in text and ">" not in text
