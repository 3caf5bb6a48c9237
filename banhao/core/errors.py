"""One error vocabulary (Zulip's ``JsonableError`` + ``ErrorCode``, Saleor's ``error_codes``).

Every refusal a service raises is a ``DomainError``: a stable ``code`` for API clients, a
``message`` the user reads in their language, the ``field`` (the input it is about, if any) and
the HTTP ``status`` the API answers with. Each app names its codes once, in its ``errors.py``, as
``ErrorCode`` constants, and raises its own subclass::

    raise HotlineError(errors.BAD_PHONE, "contact_phone", detail=exc.messages[0])

The API maps every ``DomainError`` to one shape (``banhao.api``); pages show ``message``.

Statuses: 400 a request refused by a business rule (the default), 403 not the caller's to do,
404 not there, 409 someone else changed it or its state does not allow the step
(``banhao.core.states.TransitionRefused``), 422 the input does not fit the schema, or several
problems at once (``problems``).
"""

from typing import Any, NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ErrorCode(NamedTuple):
    """A code, its message (lazy: translated when shown) and, if not the error class's, its
    HTTP status. A plain ``(code, message)`` tuple is accepted wherever this is."""

    code: str
    message: str | Promise
    status: int | None = None


class DomainError(Exception):
    """A refused operation. ``DomainError(error, field=None, **params)`` with ``error`` an
    ``ErrorCode``; or ``DomainError(message, code=..., field=...)`` for a one-off message.
    ``params`` fill the message's ``%(name)s`` placeholders when it is read, so the message is
    in the language active where it is shown, not where it was raised."""

    status = 400
    # What ``cls()`` raises with no argument; subclasses name their own.
    default = ErrorCode("refused", _("This cannot be done."))

    def __init__(
        self,
        error: ErrorCode | tuple | str | Promise | None = None,
        field: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        problems: list[dict] | None = None,
        **params: Any,
    ):
        if error is None:
            error = self.default
        if isinstance(error, tuple):
            error = ErrorCode(*error)
            self.code = code or error.code
            self.template = error.message
            status = status or error.status
        else:
            if code is None:
                raise TypeError("DomainError(message) needs code=...")
            self.code = code
            self.template = error
        self.field = field or ""
        self.params = params
        self.problems = problems or []
        if status:
            self.status = status
        super().__init__(self.code)

    @property
    def message(self) -> str:
        text = str(self.template)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        """The API's error shape (``banhao.api.ErrorOut``)."""
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field or None,
            "problems": self.problems,
        }


class CodeAndMessage(DomainError):
    """Also accepts the older ``(code, message, **params)`` positional form, which
    ``archives/services.py`` and ``onething/services.py`` still raise; new code passes an
    ``ErrorCode``. Goes once those raise sites do."""

    def __init__(self, error=None, message=None, /, field=None, **kwargs):
        if isinstance(error, str) and message is not None:
            error = ErrorCode(error, message)
        elif message is not None:
            field = message
        super().__init__(error, field, **kwargs)


class Forbidden(DomainError):
    """Not the caller's to do (the object is visible to them, the action is not theirs)."""

    status = 403
    default = ErrorCode("forbidden", _("You may not do this."))


class NotFound(DomainError):
    """Not there, or not visible to the caller (the two are not told apart)."""

    status = 404
    default = ErrorCode("not_found", _("Not found."))


class Conflict(DomainError):
    """Someone else changed the object since the caller looked at it; reload and retry."""

    status = 409
    default = ErrorCode(
        "conflict", _("Someone else changed this a moment ago. Reload the page and try again.")
    )


class InvalidInput(DomainError):
    """The input does not fit what the operation takes; ``problems`` lists every problem."""

    status = 422
    default = ErrorCode("invalid_input", _("The input has problems to fix."))
