import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from banhao.core.roles import Role

from . import selectors
from .models import AuditAction


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def search(request):
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    q = request.GET
    records = selectors.search_audit_records(
        text=q.get("q", "").strip(),
        action=q.get("action", ""),
        actor=q.get("actor", "").strip(),
        subject_key=q.get("subject", "").strip(),
        date_from=_date(q.get("from", "")),
        date_to=_date(q.get("to", "")),
    )
    page = Paginator(records, 50).get_page(q.get("page"))
    return render(
        request, "audit/search.html", {"page": page, "actions": AuditAction.choices, "q": q}
    )


@login_required
def my_data_views(request):
    """The holder's own list: which staff saw their personal data, when and why."""
    key = request.user.id_number or request.user.credit_code
    records = selectors.views_of_subject(key) if key else selectors.views_of_subject("-")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "audit/my_data_views.html", {"page": page})
