"""Sign-in, sign-out, password change and the role-aware landing page.

Local accounts (the design keeps room for the city's unified identity login: another authentication backend and a
button on the sign-in page). Sign-in attempts are limited before the password is hashed (wrp.accounts.signin_limits);
Django rotates the session key at sign-in; the session expires after SESSION_IDLE_SECONDS without activity, and
SESSION_ABSOLUTE_SECONDS after sign-in (wrp.accounts.session_lifetime).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from wrp.accounts.models import Role
from wrp.accounts.signin_limits import signin_admit, signin_failed, signin_refused, signin_succeeded

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

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """Ask the limits before the password is hashed; count the failure or forget the failures after."""
        username = str(request.POST.get("username", ""))
        decision, limit = signin_admit(request, username)
        if not decision.allowed:
            return signin_refused(request, decision, limit)
        form = self.get_form()
        if form.is_valid():
            signin_succeeded(username)
            return self.form_valid(form)
        signin_failed(username)
        return self.form_invalid(form)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Each role starts on its own main page."""
    return redirect(LANDING.get(request.user.role, "public:home"))  # type: ignore[union-attr]
