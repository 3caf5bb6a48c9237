"""The API's one error shape and the handlers that produce it.

Every refusal, whatever raised it, answers with::

    {"code": "bad_phone", "message": "…", "field": "contact_phone", "problems": []}

``code`` is stable, for programs; ``message`` is for people, in the request's language;
``field`` names the input the error is about (or null); ``problems`` lists every problem at
once when there are several (request validation, pre-review), each ``{field, code, message}``.
Statuses: 400 refused by a business rule, 401 not signed in, 403 not the caller's to do, 404 not
there or not visible, 409 changed by someone else or a state that does not allow the step, 422
the input does not fit the schema (or several problems). ``BanhaoAPI`` installs the handlers
and declares the shape for these statuses on every operation of the OpenAPI schema, so routers
neither catch domain errors nor repeat error responses: handlers stay thin.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .errors import DomainError


class ErrorProblem(Schema):
    field: str | None = Field(None, description="The input this problem is about.")
    code: str
    message: str


class ErrorOut(Schema):
    """Every refusal of the API, whatever its status."""

    code: str = Field(..., description="Stable, for programs (e.g. ``bad_phone``).")
    message: str = Field(..., description="For people, in the request's language.")
    field: str | None = Field(None, description="The input the error is about, if one.")
    problems: list[ErrorProblem] = Field(
        [], description="Every problem at once, when there are several."
    )


ERROR_STATUSES = {
    400: "Refused by a business rule.",
    401: "Not signed in.",
    403: "Not the caller's to do.",
    404: "Not there, or not visible to the caller.",
    409: "Changed by someone else, or its state does not allow this step.",
    422: "The input does not fit (every problem listed).",
}
# Codes of refusals that come from HTTP rather than from a domain rule.
_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
    429: "throttled",
}


def _problem(p: dict) -> dict:
    return {
        "field": p.get("field") or p.get("target") or None,
        "code": str(p.get("code", "")),
        "message": str(p.get("message", "")),
    }


def _field_of(loc) -> str | None:
    """``("body", "payload", "description")`` → ``description``; ``("query", "limit")`` →
    ``limit``: the name the client sent, without ninja's source and parameter names."""
    parts = [str(x) for x in loc]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]
    elif parts and parts[0] in ("body", "query", "path", "form", "file", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or None


class BanhaoAPI(NinjaAPI):
    """``NinjaAPI`` answering every refusal with ``ErrorOut``."""

    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        self.add_exception_handler(DomainError, self._domain_error)
        self.add_exception_handler(ValidationError, self._validation_error)
        self.add_exception_handler(HttpError, self._http_error)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(PermissionDenied, self._forbidden)

    def error(
        self, request: HttpRequest, status: int, code: str, message: str, field=None, problems=()
    ) -> HttpResponse:
        body = {
            "code": code,
            "message": str(message),
            "field": field,
            "problems": [_problem(p) for p in problems],
        }
        return self.create_response(request, body, status=status)

    def _domain_error(self, request, exc: DomainError) -> HttpResponse:
        return self.error(request, exc.status, exc.code, exc.message, exc.field, exc.problems)

    def _validation_error(self, request, exc: ValidationError) -> HttpResponse:
        problems = [
            {"field": _field_of(e.get("loc", ())), "code": e.get("type", ""), "message": e["msg"]}
            for e in exc.errors
        ]
        field = problems[0]["field"] if len(problems) == 1 else None
        return self.error(
            request, 422, "invalid_input", _("The input has problems to fix."), field, problems
        )

    def _http_error(self, request, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        message = _("Sign in first.") if isinstance(exc, AuthenticationError) else str(exc)
        return self.error(request, status, _HTTP_CODES.get(status, "error"), message)

    def _not_found(self, request, exc) -> HttpResponse:
        return self.error(request, 404, "not_found", _("Not found."))

    def _forbidden(self, request, exc) -> HttpResponse:
        return self.error(request, 403, "forbidden", _("You may not do this."))

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        declare_errors(schema)
        merge_security(schema)
        return schema


def declare_errors(schema: dict) -> None:
    """Declare ``ErrorOut`` for every status of ``ERROR_STATUSES`` on every operation (an
    operation's own declaration of a status, if any, is kept)."""
    definition = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, nested in definition.pop("$defs", {}).items():
        components.setdefault(name, nested)
    components["ErrorOut"] = definition
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }


def merge_security(schema: dict) -> None:
    """ninja lists an operation's auth with no scopes; an operation that names its OAuth2
    scopes (``openapi_extra``, as ``banhao.clients.auth.machine`` does) gets both entries.
    Keep one requirement per scheme, with the scopes named."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            requirements = operation.get("security")
            if not requirements:
                continue
            merged: dict[str, list[str]] = {}
            for requirement in requirements:
                for name, scopes in requirement.items():
                    known = merged.setdefault(name, [])
                    known.extend(s for s in scopes if s not in known)
            operation["security"] = [{name: scopes} for name, scopes in merged.items()]
