"""Reading the source gazette in tests, to cross-check the seed data against it.

The gazette text lives outside the repository, in ``../shared/seed/*.txt`` relative to the
repository root. Tests that need it skip only when that folder is absent.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

GAZETTE_DIR = Path(settings.BASE_DIR).parent / "shared" / "seed"
ANNEX2_TITLE = "国办确定“高效办成一件事”2024年度重点任务分工表"


def gazette_text() -> str:
    if not GAZETTE_DIR.is_dir():
        pytest.skip(f"Gazette folder {GAZETTE_DIR} is absent; cannot cross-check the seed data.")
    for path in sorted(GAZETTE_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if ANNEX2_TITLE in text:
            return text
    pytest.fail(f"No gazette text with {ANNEX2_TITLE!r} in {GAZETTE_DIR}.")


def squash(text: str) -> str:
    """Drop whitespace: the source breaks lines (and pages) inside names and table cells."""
    return re.sub(r"\s+", "", text)


def annex2_rows(text: str) -> list[dict]:
    """Every row of Annex 2 as a dict, with the one-thing it belongs to.

    Keys: number, onething, stage, audience, province_lead, city_lead, county_lead, item,
    city_responsible, county_responsible. Cells are squashed (line breaks inside cells removed).
    """
    lines = text.split("\n")
    start = lines.index("附件2")
    rows: list[dict] = []
    current: dict | None = None
    stage = audience = None
    for line in lines[start:]:
        if line.startswith("# ") and rows:
            break  # the next document
        if "\t" not in line:
            continue
        cells = [squash(cell) for cell in line.split("\t")]
        if cells[0] == "阶段":
            continue  # header, repeated on every page
        if cells[0].startswith("(一)"):
            audience = "enterprise"
            continue
        if cells[0].startswith("(二)"):
            audience = "individual"
            continue
        if cells[1].isdigit():
            stage = cells[0] or stage
            current = {
                "number": int(cells[1]),
                "onething": cells[2],
                "stage": stage,
                "audience": audience,
                "province_lead": cells[4],
                "city_lead": cells[5],
                "county_lead": cells[7],
            }
            item, city, county = cells[3], cells[6], cells[8]
        elif cells[0] == "" and cells[1] == "":
            item, city, county = cells[3], cells[6], cells[8]
        else:
            # A row that slipped to the left (the last row of one-thing 6): three cells.
            filled = [cell for cell in cells if cell]
            assert len(filled) == 3, line
            item, city, county = filled
        assert current is not None, line
        rows.append(
            {**current, "item": item, "city_responsible": city, "county_responsible": county}
        )
    return rows
