from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@login_required
def read(request, notification_id: int):
    services.mark_read(user=request.user, notification_id=notification_id)
    note = selectors.inbox(request.user).filter(pk=notification_id).first()
    return redirect(note.url if note and note.url.startswith("/") else "notifications:inbox")


@require_POST
@login_required
def read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:inbox")
