"""The webhooks' hourly job (registered on import by the app's ready()): a safety net for the queue — number and
dispatch any event whose dispatch was lost, requeue deliveries whose task was lost — and drop Idempotency-Keys past
their lifetime."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from wrp.tasks.registry import periodic


@periodic("webhooks.housekeeping", every="hour")
def webhooks_housekeeping(*, today: date) -> dict[str, Any]:
    from wrp.webhooks.delivery import deliveries_stuck_requeue, dispatch
    from wrp.webhooks.models import IdempotencyKey

    cutoff = timezone.now() - timedelta(hours=int(getattr(settings, "IDEMPOTENCY_KEY_HOURS", 24)))
    pruned, _counts = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return {"deliveries_made": dispatch(), "requeued": deliveries_stuck_requeue(), "keys_pruned": pruned}
