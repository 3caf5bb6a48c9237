"""Masking of personal identifiers for display. Masked unless shown to the person themself."""


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """3703**********1234: region prefix and last four kept, birth date hidden."""
    return _mask(value, 4, 4)


def mask_credit_code(value: str) -> str:
    return _mask(value, 4, 4)


def mask_phone(value: str) -> str:
    """138****5678."""
    return _mask(value, 3, 4)


def mask_name(value: str) -> str:
    """张*明 / 张*: keep the family name and, for long names, the last character."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_document_number(value: str) -> str:
    """J3***********0456: a licence or certificate number, its first two and last four kept."""
    return _mask(value, 2, 4)
