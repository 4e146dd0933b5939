from django.contrib.auth import views as auth_views
from django.urls import path

from wrp.accounts import register_views, second_factor, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html", success_url="/password/done/"
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", register_views.password_reset, name="password_reset"),
    path("password/reset/code/", register_views.password_reset_confirm, name="password_reset_confirm"),
    path("register/", register_views.register, name="register"),
    path("register/verify/", register_views.register_verify, name="register_verify"),
    path("register/resend/", register_views.register_resend, name="register_resend"),
    path("register/<slug:who>/", register_views.register_details, name="register_details"),
    path("home/", views.landing, name="landing"),
    path("login/code/", second_factor.otp_verify, name="otp_verify"),
    path("login/enrol/", second_factor.otp_enrol, name="otp_enrol"),
    path("account/recovery-codes/", second_factor.otp_recovery_codes, name="otp_recovery_codes"),
]
