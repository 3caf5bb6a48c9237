"""One transition check for every lifecycle.

Each app's ``states.py`` writes its allowed transitions as a table ``state -> steps it allows``,
a step being a target state (ledger, payments, policies) or an action name (hotline, onething:
``allowed_from`` turns their readable ``action -> source states`` tables around). Services call
``check_transition``; a refusal is a ``TransitionRefused`` (409: someone may have acted first).
"""

from collections.abc import Collection, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import Conflict, ErrorCode

TRANSITION_REFUSED = ErrorCode(
    "transition_refused",
    _("This is “%(current)s”; it cannot go to “%(target)s”. Reload the page to see its status."),
)


class TransitionRefused(Conflict):
    """The object is not in a state that allows this step. ``current`` and ``target`` hold the
    stored values; the message names their labels. Apps subclass it together with their own
    error class, so ``except HotlineError`` still catches a hotline refusal."""

    default = TRANSITION_REFUSED
    current: str = ""
    target: str = ""


def _label(value: str, choices):
    """The state's label, left lazy: the message is read in the language active where shown."""
    if choices is not None and value in choices.values:
        return choices(value).label
    return str(value or "—")


def check_transition(
    current: str,
    target: str,
    allowed: Mapping[Any, Collection[Any]],
    *,
    error: ErrorCode | tuple | None = None,
    refused: type[TransitionRefused] = TransitionRefused,
    choices=None,
    **params,
) -> None:
    """Raise ``refused(error)`` unless ``allowed[current]`` holds ``target``. The message may
    use ``%(current)s`` and ``%(target)s`` (labels from ``choices`` when given) and ``params``."""
    if target in allowed.get(current, ()):
        return
    exc = refused(
        error,
        current=_label(current, choices),
        target=_label(target, choices),
        **params,
    )
    exc.current, exc.target = current, target
    raise exc


def allowed_from(sources_by_step: Mapping[str, Collection[str]]) -> dict[str, frozenset[str]]:
    """``action -> source states`` turned into ``state -> actions``, for ``check_transition``."""
    table: dict[str, set[str]] = {}
    for step, sources in sources_by_step.items():
        for source in sources:
            table.setdefault(str(source), set()).add(step)
    return {state: frozenset(steps) for state, steps in table.items()}
