from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "wrp.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from wrp.core.events import record_with
        from wrp.webhooks.outbox import outbox_record

        record_with(outbox_record)  # every emitted event, written in the emitting transaction (wrp.webhooks.outbox)
        from wrp.webhooks import jobs  # noqa: F401 - registers the hourly housekeeping
