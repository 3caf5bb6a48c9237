from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    display_name: str
    unit: str
    id_number: str
    credit_code: str
    phone: str
    large_text: bool


@router.get("/me/", response=MeOut)
def me(request):
    """The caller's own account. Identifiers are shown in full only to their holder."""
    user = request.user
    return MeOut(
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        unit=user.unit_label,
        id_number=user.id_number,
        credit_code=user.credit_code,
        phone=user.phone,
        large_text=user.large_text,
    )
