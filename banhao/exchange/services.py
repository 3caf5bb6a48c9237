"""Importing a batch from the exchange platform: idempotent by (source, batch id), all or
nothing, every row's errors listed. The rows are checked and written by the archives' import
(``banhao.archives.imports``), so the CSV upload and the exchange share one set of rules."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from banhao.archives import imports
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.org.models import Region

from . import errors
from .errors import ExchangeError
from .models import BatchKind, BatchState, ImportBatch

MAX_ROWS = 5000
BATCH_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class Outcome:
    batch: ImportBatch
    # True when this batch id had been imported with the same content: nothing was done now.
    replayed: bool = False


def checksum_of(kind: str, rows: list[dict]) -> str:
    """The batch's content, canonically: the same rows in the same order give the same sum
    however the JSON was spaced or its keys ordered."""
    canonical = json.dumps(
        [kind, [{str(k): "" if v is None else str(v) for k, v in r.items()} for r in rows]],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _region_ids(region: Region) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [region.pk]
    while todo:
        pk = todo.pop()
        found.add(pk)
        todo.extend(children.get(pk, []))
    return found


def _check_region(region: Region, kind: str, clean: list[dict], row_errors: list) -> None:
    """A client bound to a region sends only rows of that region."""
    inside = _region_ids(region)
    for row in clean:
        town = row["values"].get("township") if kind != "licences" else None
        if kind == "licences":
            town = getattr(row.get("holder_obj"), "township", None)
        if town is None or town.pk not in inside:
            row_errors.append(
                imports.RowError(row["line"], row["key"], [str(errors.OUTSIDE_REGION.message)])
            )


def import_batch(
    *,
    actor,
    source: str,
    batch_id: str,
    kind: str,
    rows: list[dict],
    channel: str,
    client=None,
    first_line: int = 1,
) -> Outcome:
    """Import one batch. The same batch id sent again with the same content answers the
    earlier result and changes nothing; with other content it is refused (409). Every row is
    checked before anything is written; one bad row and nothing is (the batch is kept as
    FAILED with every row's errors, and may be sent again). ``first_line`` numbers the rows as
    the sender sees them (2 for a CSV file under its header)."""
    if not BATCH_ID_RE.fullmatch(batch_id or ""):
        raise ExchangeError(errors.BAD_BATCH_ID, "batch_id")
    if kind not in BatchKind.values:
        raise ValueError(kind)
    if len(rows) > MAX_ROWS:
        raise ExchangeError(errors.TOO_MANY_ROWS, "rows", max=MAX_ROWS)
    checksum = checksum_of(kind, rows)
    try:
        return _import(actor, source, batch_id, kind, rows, channel, client, first_line, checksum)
    except IntegrityError:
        # The same batch id arrived twice at once and the other one was saved first: this one
        # is now a re-sent batch (or a conflicting one), answered as such.
        return _import(actor, source, batch_id, kind, rows, channel, client, first_line, checksum)


def _import(actor, source, batch_id, kind, rows, channel, client, first_line, checksum) -> Outcome:
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update().filter(source=source, batch_id=batch_id).first()
        )
        if batch is not None and batch.state == BatchState.IMPORTED:
            if batch.checksum == checksum:
                return Outcome(batch, replayed=True)
            raise ExchangeError(errors.BATCH_CONFLICT, "batch_id", batch=batch_id)
        clean, row_errors, count = imports.check_rows(kind, enumerate(rows, start=first_line))
        if not row_errors and client is not None and client.region_id is not None:
            _check_region(client.region, kind, clean, row_errors)
        if not count:
            row_errors.append(imports.RowError(first_line, "", [_("The batch has no rows.")]))
        batch = batch or ImportBatch(source=source, batch_id=batch_id)
        batch.kind, batch.channel, batch.client = kind, channel, client
        batch.checksum, batch.rows = checksum, count
        batch.errors = [asdict(e) for e in row_errors]
        result = imports.ImportResult(kind=kind, rows=count)
        if row_errors:
            batch.state = BatchState.FAILED
        else:
            imports.write(actor=actor, kind=kind, clean=clean, result=result)
            batch.state = BatchState.IMPORTED
        batch.created, batch.updated, batch.unchanged = (
            result.created,
            result.updated,
            result.unchanged,
        )
        batch.save()
        record(
            actor=actor,
            action=AuditAction.CREATE,
            event_type=f"exchange.batch_{batch.state}",
            obj=batch,
            summary=f"{source}/{batch_id} {kind}: {batch.state}",
            after={
                "source": source,
                "batch_id": batch_id,
                "kind": kind,
                "channel": channel,
                "rows": count,
                "created": batch.created,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
                "errors": len(row_errors),
            },
            extra={"client": client.code if client is not None else ""},
        )
    return Outcome(batch)
