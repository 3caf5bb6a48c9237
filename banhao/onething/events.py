"""What other apps plug into one-thing applications: one event and one provider.

Apps above ``onething`` (archives, and later others) call its services; it never imports
them. Where one-thing needs a reaction or a value from such an app, it names the hook here,
with a typed payload, and the app registers a callable in its ``AppConfig.ready()``:

- ``on_task_approved(receiver)``: ``receiver(TaskApproved)`` runs after every approval.
  Receivers run synchronously, **inside the approving transaction**, after the approval's own
  writes: what they write commits or rolls back with the approval (filing a licence in the
  holder's archive, with its audit record, is atomic with the approval), and an exception
  they raise rolls the approval back and reaches the caller. Anything outside the database
  (a message, a file) belongs in ``transaction.on_commit``. Receivers must stay cheap on
  items they do not care about: every approval calls every receiver.
- ``provide_form_prefill(provider)``: ``provider(user, field_keys, application)`` returns a
  ``FormPrefill`` of plain values the application form opens with (智能预填). Reads only.

- ``provide_material_records(provider)``: ``provider(user, wanted, application)`` returns,
  per material code, the ``HeldRecord`` that holds it (an e-licence, the household
  registration, the verified identity) for the applicant, their spouse or child, or their
  enterprise: taken with consent instead of an upload (免提交, ADR 0019). Reads only; the
  provider decides who may see what (only a verified applicant's own records).

Registration is explicit and idempotent (the same callable twice is kept once); receivers and
providers run in registration order, i.e. the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from banhao.accounts.models import User

    from .models import Application, Task


# --- task approved ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskApproved:
    """A task was approved with its result (the application and its tasks are locked).

    ``siblings`` are all the application's tasks as the approval left them (this one
    included), so a receiver needs no query to see which other items are done.
    """

    actor: User | None
    application: Application
    task: Task
    siblings: tuple[Task, ...]


TaskApprovedReceiver = Callable[[TaskApproved], object]

_task_approved: list[TaskApprovedReceiver] = []


def on_task_approved(receiver: TaskApprovedReceiver) -> TaskApprovedReceiver:
    """Register ``receiver`` for every approval (usable as a decorator)."""
    if receiver not in _task_approved:
        _task_approved.append(receiver)
    return receiver


def disconnect_task_approved(receiver: TaskApprovedReceiver) -> None:
    if receiver in _task_approved:
        _task_approved.remove(receiver)


def task_approved(event: TaskApproved) -> None:
    """Run every receiver, in order; called by ``services.approve`` inside its transaction."""
    for receiver in _task_approved:
        receiver(event)


# --- form prefill -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prefill:
    """A value a form field opens with, and where it comes from (shown to the applicant)."""

    value: str
    source: str  # e.g. "archive", "spouse", "licence", "account"


@dataclass(frozen=True, slots=True)
class Renews:
    """What the application renews, as the form's notice names it (already localised)."""

    label: str
    number: str


@dataclass(frozen=True, slots=True)
class FormPrefill:
    values: Mapping[str, Prefill] = field(default_factory=dict)
    renews: Renews | None = None


FormPrefillProvider = Callable[["User", list[str], "Application"], FormPrefill]

_form_prefill: list[FormPrefillProvider] = []


def provide_form_prefill(provider: FormPrefillProvider) -> FormPrefillProvider:
    """Register ``provider`` (usable as a decorator)."""
    if provider not in _form_prefill:
        _form_prefill.append(provider)
    return provider


def disconnect_form_prefill(provider: FormPrefillProvider) -> None:
    if provider in _form_prefill:
        _form_prefill.remove(provider)


def form_prefill(user: User, field_keys: Iterable[str], application: Application) -> FormPrefill:
    """What every provider knows for these fields; the first provider to know a field wins."""
    keys = list(field_keys)
    values: dict[str, Prefill] = {}
    renews = None
    for provider in _form_prefill:
        known = provider(user, keys, application)
        for key, prefill in known.values.items():
            values.setdefault(key, prefill)
        renews = renews or known.renews
    return FormPrefill(values=values, renews=renews)


def merge_prefill(
    data: Mapping[str, str], prefill: Mapping[str, Prefill], keys: Iterable[str]
) -> dict[str, tuple[str, bool]]:
    """Each field's value and whether it is the prefilled one: what the draft holds wins (even
    a value the applicant cleared); a field never saved takes the prefilled value."""
    merged = {}
    for key in keys:
        known = prefill.get(key)
        if key in data:
            value = data[key]
            merged[key] = (value, bool(known and value and value == known.value))
        elif known is not None:
            merged[key] = (known.value, True)
        else:
            merged[key] = ("", False)
    return merged


# --- materials held by government records (免提交) -------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldRecord:
    """A government record that holds a material, as the form and the handler show it.

    ``number`` is in full (the applicant's form and staff pages mask it); ``reference`` names
    the record where it lives (e.g. ``archives.licence:12``), for the department to check."""

    kind: str  # identity | household | licence
    holder: str  # applicant | spouse | mother | father | child | enterprise
    reference: str
    label: str
    label_en: str
    number: str
    issuer: str
    issuer_en: str = ""


# A material code with its record spec from the definition ({"kind", "holder", …}).
MaterialRecordProvider = Callable[
    ["User", Mapping[str, Mapping[str, str]], "Application"], Mapping[str, HeldRecord]
]

_material_records: list[MaterialRecordProvider] = []


def provide_material_records(provider: MaterialRecordProvider) -> MaterialRecordProvider:
    """Register ``provider`` (usable as a decorator)."""
    if provider not in _material_records:
        _material_records.append(provider)
    return provider


def disconnect_material_records(provider: MaterialRecordProvider) -> None:
    if provider in _material_records:
        _material_records.remove(provider)


def material_records(
    user: User, wanted: Mapping[str, Mapping[str, str]], application: Application
) -> dict[str, HeldRecord]:
    """The records that hold these materials ({code: spec}); the first provider to know a
    material wins. Without providers (or records) every material is uploaded."""
    found: dict[str, HeldRecord] = {}
    if not wanted:
        return found
    for provider in _material_records:
        for code, held in provider(user, wanted, application).items():
            if code in wanted:
                found.setdefault(code, held)
    return found
