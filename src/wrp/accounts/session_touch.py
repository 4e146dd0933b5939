"""The idle timeout without a database write per page view.

A session ends SESSION_COOKIE_AGE after it was last saved. Saving it on every request (SESSION_SAVE_EVERY_REQUEST)
kept that an exact idle timeout, at the price of an UPDATE and a COMMIT for every signed-in page. Instead the moment
of the last save ("touch") is kept in the session, and a request re-saves the session only when that touch is older
than SESSION_TOUCH_SECONDS (60): the idle timeout holds to within a minute, and a plain signed-in GET within the minute
writes nothing. A request that changes the session anyway records the touch for free.

It must sit after SessionMiddleware (its response runs before the session is saved). Sessions without a key (no
cookie, an unknown or expired one, or one just flushed by a sign-out) are left alone: touching them would create one;
so is a session the request never read (a page that does not look at who is signed in).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED_AT = "wrp_touched_at"
DEFAULT_TOUCH_SECONDS = 60


def touch_seconds() -> float:
    return float(getattr(settings, "SESSION_TOUCH_SECONDS", DEFAULT_TOUCH_SECONDS))


class SessionTouchMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.session_key is None:
            return response  # a request that never looked at its session is no sign of activity (and costs no read)
        touched = session.get(TOUCHED_AT)  # loads the session: an unknown or expired key becomes None
        if session.session_key is None:
            return response
        now = time.time()
        if session.modified or not isinstance(touched, int | float) or not 0 <= now - touched < touch_seconds():
            session[TOUCHED_AT] = now  # marks the session modified: SessionMiddleware saves it, new expiry and cookie
        return response
