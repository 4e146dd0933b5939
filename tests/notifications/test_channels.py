"""The channels: e-mail through Django's SMTP backend to a real local SMTP server (aiosmtpd), SMS through the provider
named in the settings, and the masked addresses of the delivery log."""

from __future__ import annotations

import email
import logging
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from wrp.notifications.channels import mask_email
from wrp.notifications.models import Delivery, DeliveryStatus
from wrp.notifications.services import contact_preference_set, notify
from wrp.notifications.sms import LogSmsProvider, SmsProvider, mask_mobile, sms_provider

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and a free port; the platform's mail goes to it through the SMTP backend."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.TASKS = IMMEDIATE
    yield inbox
    controller.stop()


@pytest.fixture
def event_templates(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "templates" / "notifications"
    folder.mkdir(parents=True)
    (folder / "test.mail.txt").write_text(
        '{% load i18n %}{% translate "退出" %} {{ number }}\n{% translate "首页" %}\n', encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    return folder


def test_mail_reaches_a_real_smtp_server_in_each_recipients_language(
    people, applicant, handler, smtp_server, event_templates, django_capture_on_commit_callbacks
):
    contact_preference_set(user=applicant, email="applicant@example.com", verified=True, language="zh")
    contact_preference_set(user=handler, email="hr@example.com", verified=True, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="test.mail", recipients=[applicant, handler], context={"number": "WRP1"}, key="mail:1",
               link="/cases/WRP1/")
    received = {tuple(to): message for to, message in smtp_server.messages}
    assert set(received) == {("applicant@example.com",), ("hr@example.com",)}
    chinese, english = received[("applicant@example.com",)], received[("hr@example.com",)]
    assert chinese["Subject"] == "退出 WRP1"
    assert chinese.get_content().replace("\r\n", "\n").strip() == "首页\n\nhttp://127.0.0.1:8000/cases/WRP1/"
    assert english["Subject"] == "Sign out WRP1"
    assert english.get_content().startswith("Home")
    assert "noreply@localhost" in chinese["From"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_an_unreachable_smtp_server_is_recorded_and_retried(
    people, applicant, settings, event_templates, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.TASKS, settings.NOTIFY_MAX_ATTEMPTS = IMMEDIATE, 2
    contact_preference_set(user=applicant, email="applicant@example.com", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="test.mail", recipients=[applicant], context={}, key="mail:down")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert "ConnectionRefusedError" in delivery.last_error


class Collecting(SmsProvider):
    texts: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        Collecting.texts.append((mobile, text))


class NotAProvider:
    pass


def test_the_sms_provider_is_the_class_the_settings_name(settings):
    assert isinstance(sms_provider(), LogSmsProvider)  # the default
    settings.SMS_PROVIDER = "tests.notifications.test_channels.Collecting"
    sms_provider().send("13800138000", "hello")
    assert Collecting.texts[-1] == ("13800138000", "hello")
    settings.SMS_PROVIDER = "tests.notifications.test_channels.NotAProvider"
    with pytest.raises(TypeError, match="not an SmsProvider"):
        sms_provider()


def test_the_log_provider_writes_the_message_with_the_number_masked(caplog):
    with caplog.at_level(logging.INFO, logger="wrp.sms"):
        LogSmsProvider().send("13800138000", "【朝阳人社】您的案件已批准")
    assert "138****8000" in caplog.text
    assert "您的案件已批准" in caplog.text
    assert "13800138000" not in caplog.text


@pytest.mark.parametrize(
    ("address", "masked"),
    [("li.ming@example.com", "li***@example.com"), ("a@b.cn", "a***@b.cn")],
)
def test_email_addresses_are_logged_masked(address, masked):
    assert mask_email(address) == masked


@pytest.mark.parametrize(("mobile", "masked"), [("13800138000", "138****8000"), ("123", "****")])
def test_mobile_numbers_are_logged_masked(mobile, masked):
    assert mask_mobile(mobile) == masked
