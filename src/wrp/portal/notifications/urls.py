"""The notification centre's addresses (under /notifications/, for every signed-in person)."""

from django.urls import path

from wrp.portal.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/settings/verify/", views.notification_verify, name="notification_verify"),
]
