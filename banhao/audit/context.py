"""Who is acting and from where, for the current request or job (a context variable)."""

import contextlib
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "banhao_request_context", default=None
)


def current() -> RequestContext:
    return _current.get() or _EMPTY


@contextlib.contextmanager
def bind(ctx: RequestContext):
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
