from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class ReadOut(Schema):
    changed: bool


@router.get("/", response=list[NotificationOut])
@paginate(LimitOffsetPagination)
def list_notifications(request):
    return selectors.inbox(request.user)


@router.post("/{notification_id}/read/", response=ReadOut)
def mark_read(request, notification_id: int):
    return ReadOut(changed=services.mark_read(user=request.user, notification_id=notification_id))
