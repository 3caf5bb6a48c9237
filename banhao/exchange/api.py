"""The exchange platform's API: a batch of persons, enterprises or licences as JSON, with a
machine client's token (scope ``exchange:import``). The batch's source is the client's code."""

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema, Status

from banhao.clients import scopes
from banhao.clients.auth import machine

from . import errors, services
from .errors import ExchangeError
from .models import BatchChannel, BatchKind, BatchState, ImportBatch

router = Router(tags=["machine: exchange"])


class BatchIn(Schema):
    batch_id: str = Field(..., min_length=1, max_length=64)
    kind: BatchKind
    rows: list[dict[str, str | int | None]] = Field(..., max_length=services.MAX_ROWS)


class RowErrorOut(Schema):
    line: int
    key: str
    messages: list[str]


class BatchOut(Schema):
    source: str
    batch_id: str
    kind: str
    state: str
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]
    replayed: bool = False
    received_at: dt.datetime


def _out(batch: ImportBatch, replayed: bool = False) -> dict:
    return {
        "source": batch.source,
        "batch_id": batch.batch_id,
        "kind": batch.kind,
        "state": batch.state,
        "rows": batch.rows,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "errors": batch.errors,
        "replayed": replayed,
        "received_at": batch.received_at,
    }


@router.post(
    "/batches/", response={200: BatchOut, 201: BatchOut}, **machine(scopes.EXCHANGE_IMPORT)
)
def send_batch(request, payload: BatchIn):
    """Import a batch, all or nothing. Rows are upserted by natural key (ID number, credit
    code, licence type and number). The same ``batch_id`` sent again with the same rows answers
    the first result (200, ``replayed``) and changes nothing; with other rows it is refused
    (409). If any row has an error nothing is written and every row's errors are listed (422,
    ``problems``: field ``rows[<line>]``, lines counted from 1)."""
    client = request.auth.client
    outcome = services.import_batch(
        actor=request.auth.user,
        source=client.code,
        batch_id=payload.batch_id,
        kind=payload.kind,
        rows=payload.rows,
        channel=BatchChannel.API,
        client=client,
    )
    batch = outcome.batch
    if batch.state == BatchState.FAILED:
        raise ExchangeError(
            errors.ROWS_INVALID,
            "rows",
            count=len(batch.errors),
            problems=[
                {"field": f"rows[{e['line']}]", "code": "row_invalid", "message": m}
                for e in batch.errors
                for m in e["messages"]
            ],
        )
    return Status(200 if outcome.replayed else 201, _out(batch, outcome.replayed))


@router.get("/batches/{batch_id}/", response=BatchOut, **machine(scopes.EXCHANGE_IMPORT))
def get_batch(request, batch_id: str):
    """A batch this client sent, with its result or its rows' errors."""
    batch = ImportBatch.objects.filter(source=request.auth.client.code, batch_id=batch_id).first()
    if batch is None:
        raise Http404
    return _out(batch)
