"""Django's session, authentication and message middleware, idle on API-key paths.

Open311 clients (``/open311/``) authenticate with an ``api_key`` in the request: they never
have a session, a logged-in user or flash messages. Yet on every request these three build a
session store, a lazy user and a message store (which derives a cookie signer), and read them
back on the way out — a few per cent of an intake request's CPU (docs/adr/0005-hotline.md,
"Intake speed"). On those paths the subclasses below pass the request straight on; everywhere
else they are Django's own. The others stay on every path: security and frame headers, locale
(error texts follow Accept-Language), CommonMiddleware (Content-Length) and CSRF, whose
``process_view`` still guards every non-exempt view there.

A view under these paths must not read ``request.session``, ``request.user`` or messages.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Message
from django.contrib.sessions.middleware import SessionMiddleware as _Session

SESSIONLESS_PREFIXES = ("/open311/",)


class _IdleOnSessionlessPaths:
    def __call__(self, request):
        if not self.async_mode and request.path_info.startswith(SESSIONLESS_PREFIXES):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_IdleOnSessionlessPaths, _Session):
    pass


class AuthenticationMiddleware(_IdleOnSessionlessPaths, _Authentication):
    pass


class MessageMiddleware(_IdleOnSessionlessPaths, _Message):
    pass
