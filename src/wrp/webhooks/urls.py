"""The webhook pages' addresses, included by the unit and bureau portals (names in the portal namespace:
`portal:unit_webhooks`, `portal:bureau_webhooks`, …)."""

from django.urls import path

from wrp.webhooks import views


def patterns(scope: str) -> list:
    kw = {"scope": scope}
    return [
        path("", views.webhooks_page, kw, name=f"{scope}_webhooks"),
        path("add/", views.webhook_add, kw, name=f"{scope}_webhook_add"),
        path("<int:pk>/", views.webhook_log, kw, name=f"{scope}_webhook_log"),
        path("<int:pk>/rotate/", views.webhook_rotate, kw, name=f"{scope}_webhook_rotate"),
        path("<int:pk>/disable/", views.webhook_switch, {**kw, "enabled": False}, name=f"{scope}_webhook_disable"),
        path("<int:pk>/enable/", views.webhook_switch, {**kw, "enabled": True}, name=f"{scope}_webhook_enable"),
        path(
            "<int:pk>/deliveries/<int:delivery_id>/redeliver/",
            views.webhook_redeliver,
            kw,
            name=f"{scope}_webhook_redeliver",
        ),
    ]


unit_urlpatterns = patterns("unit")
bureau_urlpatterns = patterns("bureau")
