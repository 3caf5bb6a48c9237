"""Who may open which archive: the holder their own (once their identity is verified); staff
any, after recording a purpose."""

from django.http import Http404

from banhao.accounts.identity import holder_key
from banhao.accounts.roles import PUBLIC_ROLES, Role

from .models import Enterprise, Licence, Person

# Who imports archives from files.
IMPORT_ROLES = frozenset({Role.ADMIN})


def is_own(user, holder) -> bool:
    """Whether ``user`` holds this archive: by its verified identity only."""
    key = holder_key(user)
    if isinstance(holder, Person):
        return bool(key) and key == holder.id_number
    return bool(key) and key == holder.credit_code


def holder_or_404(kind: str, pk: int):
    """A person or enterprise archive by kind and id (views check who may see it)."""
    model = {"persons": Person, "enterprises": Enterprise}.get(kind)
    if model is None:
        raise Http404
    qs = model.objects.select_related("township")
    if model is Person:
        qs = qs.select_related("spouse", "mother", "father")
    holder = qs.filter(pk=pk).first()
    if holder is None:
        raise Http404
    return holder


def own_licence_or_404(user, pk: int) -> Licence:
    """A licence of the account's own archive; anyone else's is not found."""
    if user.role not in PUBLIC_ROLES:
        raise Http404
    qs = Licence.objects.select_related(
        "licence_type__renewal_onething",
        "person",
        "enterprise",
        "renewal_application",
        "issuer",
    )
    key = holder_key(user)
    if key and user.role == Role.CITIZEN:
        licence = qs.filter(pk=pk, person__id_number=key).first()
    elif key:
        licence = qs.filter(pk=pk, enterprise__credit_code=key).first()
    else:
        licence = None
    if licence is None:
        raise Http404
    return licence
