"""The operators' paths: health for the load balancer, metrics for the monitoring network (wrp.ops)."""

from django.urls import path

from wrp.ops import health, metrics

app_name = "ops"
urlpatterns = [
    path("health/live", health.live, name="live"),
    path("health/ready", health.ready, name="ready"),
    path("metrics", metrics.metrics, name="metrics"),
]
