"""The one error vocabulary and the one transition check."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from banhao.core.errors import CodeAndMessage, DomainError, ErrorCode, Forbidden, InvalidInput
from banhao.core.states import TransitionRefused, allowed_from, check_transition

LIMIT = ErrorCode("too_long", _("The description is too long (at most %(limit)s characters)."))


def test_an_error_carries_code_field_status_and_a_message_read_in_the_active_language():
    exc = DomainError(LIMIT, "description", limit=4000)
    assert (exc.code, exc.field, exc.status) == ("too_long", "description", 400)
    with translation.override("en"):
        assert exc.message == "The description is too long (at most 4000 characters)."
    with translation.override("zh-hans"):
        assert exc.message != "The description is too long (at most 4000 characters)."
        assert "4000" in str(exc)
    assert exc.as_dict() == {
        "code": "too_long",
        "message": str(exc),
        "field": "description",
        "problems": [],
    }


def test_status_comes_from_the_code_then_the_class():
    assert DomainError(ErrorCode("mine", "m", 403)).status == 403
    assert Forbidden().status == 403 and Forbidden().code == "forbidden"
    assert InvalidInput(problems=[{"field": "x", "code": "c", "message": "m"}]).status == 422
    assert DomainError("One-off.", code="one_off", field="f").as_dict()["field"] == "f"
    with pytest.raises(TypeError):
        DomainError("A message without a code.")


def test_the_older_code_and_message_form_still_reads():
    exc = CodeAndMessage("bad_source", "Unknown source %(source)s.", source="x")
    assert (exc.code, exc.message, exc.field) == ("bad_source", "Unknown source x.", "")
    assert CodeAndMessage(LIMIT, "description", limit=1).field == "description"


TABLE = {"draft": {"active"}, "active": {"closed"}, "closed": set()}


def test_check_transition_allows_the_table_and_refuses_the_rest_with_409():
    check_transition("draft", "active", TABLE)
    with pytest.raises(TransitionRefused) as refused:
        check_transition("closed", "active", TABLE)
    exc = refused.value
    assert (exc.status, exc.code, exc.current, exc.target) == (
        409,
        "transition_refused",
        "closed",
        "active",
    )
    with translation.override("en"):
        assert "“closed”" in exc.message and "“active”" in exc.message


def test_an_apps_refusal_is_both_the_core_refusal_and_the_apps_error():
    from banhao.hotline import states as hotline
    from banhao.hotline.errors import HotlineError
    from banhao.onething.errors import OneThingError
    from banhao.onething.errors import TransitionRefused as OneThingRefused

    with pytest.raises(TransitionRefused) as refused:
        hotline.check("accept", hotline.TicketStatus.CLOSED)
    assert isinstance(refused.value, HotlineError) and refused.value.status == 409
    with translation.override("en"):
        assert "Closed" in refused.value.message
    assert issubclass(OneThingRefused, OneThingError) and issubclass(
        OneThingRefused, TransitionRefused
    )


def test_allowed_from_turns_an_action_table_around():
    assert allowed_from({"accept": ("ready",), "approve": ("ready", "accepted")}) == {
        "ready": frozenset({"accept", "approve"}),
        "accepted": frozenset({"approve"}),
    }
