"""Errors of the archives, with messages in the user's language."""


class ArchiveError(Exception):
    """A refused operation; ``code`` is stable for API clients, ``message`` is translated."""

    status = 400

    def __init__(self, code: str, message, **params):
        self.code = code
        self.message = message % params if params else message
        super().__init__(str(self.message))
