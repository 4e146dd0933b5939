from django.urls import path

from wrp.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check, name="check"),
]
