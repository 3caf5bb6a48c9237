"""Staff pages of outbound webhooks: subscribers and each one's delivery log (administrators)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banhao.core.roles import Role

from . import selectors, services
from .errors import WebhookError
from .models import Delivery, Subscriber
from .states import DeliveryState


def _admin(request) -> None:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied


@login_required
def subscriber_list(request):
    _admin(request)
    return render(request, "webhooks/subscribers.html", {"subscribers": selectors.subscribers()})


@login_required
def delivery_log(request, pk: int):
    _admin(request)
    subscriber = get_object_or_404(Subscriber, pk=pk)
    state = request.GET.get("state", "")
    page = Paginator(selectors.delivery_log(subscriber, state), 50).get_page(
        request.GET.get("page")
    )
    attempts = selectors.attempts_of(list(page))
    rows = [(d, attempts[d.pk][:5]) for d in page]
    return render(
        request,
        "webhooks/log.html",
        {
            "subscriber": subscriber,
            "page": page,
            "rows": rows,
            "state": state,
            "states": DeliveryState.choices,
        },
    )


@login_required
@require_POST
def replay_delivery(request, pk: int):
    _admin(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    services.replay_delivery(actor=request.user, delivery_id=delivery.pk)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("webhooks:log", pk=delivery.subscriber_id)


def _since(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip()) if value and len(value) <= 40 else None
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@login_required
@require_POST
def replay_since(request, pk: int):
    _admin(request)
    subscriber = get_object_or_404(Subscriber, pk=pk)
    try:
        count = services.replay_since(
            actor=request.user, subscriber_id=subscriber.pk, since=_since(request.POST.get("since"))
        )
    except WebhookError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d deliveries will be sent again.") % {"count": count})
    return redirect("webhooks:log", pk=subscriber.pk)
