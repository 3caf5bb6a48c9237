"""Errors of the archives, with messages in the user's language."""

from banhao.core.errors import CodeAndMessage


class ArchiveError(CodeAndMessage):
    """A refused archive operation (``archives/services.py`` raises it as
    ``ArchiveError(code, message, **params)``)."""
