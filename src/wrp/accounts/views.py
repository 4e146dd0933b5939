"""Sign-in, sign-out, password change and the role-aware landing page.

Local accounts (the design keeps room for the city's unified identity login: another authentication backend and a
button on the sign-in page). Failed sign-ins are throttled by django-axes; Django rotates the session key at sign-in;
the session expires after SESSION_IDLE_SECONDS without activity.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from wrp.accounts.models import Role

LANDING = {
    Role.APPLICANT: "portal:applicant_home",
    Role.UNIT_HANDLER: "portal:unit_home",
    Role.WINDOW_CLERK: "portal:clerk_queue",
    Role.BUREAU_APPROVER: "portal:bureau_queue",
    Role.ADMIN: "admin:index",
}


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Each role starts on its own main page."""
    return redirect(LANDING.get(request.user.role, "public:home"))  # type: ignore[union-attr]
