"""The file drop: the exchange platform leaves CSV files in ``BANHAO_EXCHANGE_DROP_DIR``,
named ``<source>__<kind>__<batch id>.csv`` (written elsewhere, or as ``.part``, and renamed when
complete: only ``*.csv`` is read). ``scan()`` imports each and moves it to ``done/`` or
``failed/`` with a report beside it (``<file>.report.txt``). A file dropped twice is a re-sent
batch: it changes nothing and goes to ``done/`` again."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from banhao.archives.imports import REQUIRED

from . import services
from .errors import ExchangeError
from .models import BatchChannel, BatchState

NAME_RE = re.compile(
    r"(?P<source>[a-z0-9][a-z0-9-]{0,63})__(?P<kind>persons|enterprises|licences)"
    r"__(?P<batch>[A-Za-z0-9._-]{1,64})\.csv"
)
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Scanned:
    name: str
    state: str  # "done" or "failed"
    report: str


def _read(path: Path, kind: str) -> tuple[list[dict], str]:
    if path.stat().st_size > MAX_BYTES:
        return [], f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], "The file is not UTF-8 text."
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        return [], f"Missing columns: {', '.join(missing)}"
    rows = [{k.strip(): (v or "") for k, v in raw.items() if k} for raw in reader]
    return rows, ""


def import_file(path: Path) -> Scanned:
    match = NAME_RE.fullmatch(path.name)
    if match is None:
        return Scanned(
            path.name,
            "failed",
            "File name must be <source>__<kind>__<batch id>.csv, kind one of "
            "persons, enterprises, licences.",
        )
    rows, problem = _read(path, match["kind"])
    if problem:
        return Scanned(path.name, "failed", problem)
    try:
        outcome = services.import_batch(
            actor=None,
            source=match["source"],
            batch_id=match["batch"],
            kind=match["kind"],
            rows=rows,
            channel=BatchChannel.FILE,
            first_line=2,
        )
    except ExchangeError as exc:
        return Scanned(path.name, "failed", exc.message)
    batch = outcome.batch
    if batch.state == BatchState.FAILED:
        lines = [f"{len(batch.errors)} row(s) have errors; nothing was imported."]
        for error in batch.errors:
            lines.append(f"line {error['line']}: {' '.join(error['messages'])}")
        return Scanned(path.name, "failed", "\n".join(lines))
    summary = (
        f"{batch.rows} rows: {batch.created} created, {batch.updated} updated, "
        f"{batch.unchanged} unchanged."
    )
    if outcome.replayed:
        summary = "Already imported with the same content; nothing changed. " + summary
    return Scanned(path.name, "done", summary)


def scan(directory: Path | None = None) -> list[Scanned]:
    """Import every ``*.csv`` in the drop directory, oldest name first."""
    directory = Path(directory or settings.BANHAO_EXCHANGE_DROP_DIR)
    if not directory.is_dir():
        return []
    done: list[Scanned] = []
    for path in sorted(directory.glob("*.csv")):
        scanned = import_file(path)
        target = directory / scanned.state
        target.mkdir(exist_ok=True)
        path.replace(target / path.name)
        (target / f"{path.name}.report.txt").write_text(scanned.report + "\n", encoding="utf-8")
        done.append(scanned)
    return done
