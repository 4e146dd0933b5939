"""Errors are pages in the site frame, in the visitor's language, with DEBUG off: never a list of URL patterns, never a
traceback or a frame's locals; the 500 page renders without touching the database."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from wrp.config.errors import server_error

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def in_the_site_frame(text: str) -> bool:
    return 'class="site-header"' in text and 'class="site-footer"' in text and "010-57596100" in text


def test_an_unknown_address_is_a_404_page_without_the_url_patterns(settings):
    assert settings.DEBUG is False
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    text = page(response)
    assert in_the_site_frame(text)
    assert "页面不存在" in text
    assert "URLconf" not in text
    assert "api/v1/" not in text


def test_the_404_page_speaks_english():
    client = Client()
    client.cookies["django_language"] = "en"
    assert "Page not found" in page(client.get("/no/such/page/"))


def test_a_request_for_an_unknown_host_is_a_400_page():
    response = Client().get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    text = page(response)
    assert in_the_site_frame(text)
    assert "请求无法处理" in text
    assert "ALLOWED_HOSTS" not in text


def test_a_role_refused_is_a_403_page(applicant):
    client = Client()
    client.force_login(applicant)
    response = client.get("/clerk/")
    assert response.status_code == 403
    assert in_the_site_frame(page(response))


def test_a_form_without_its_csrf_token_is_an_expired_form_page():
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    text = page(response)
    assert in_the_site_frame(text)
    assert "页面已过期" in text
    assert "<style" not in text  # Django's own page carries an inline style the policy refuses


def test_the_500_page_is_in_the_frame_and_reads_nothing_from_the_database(django_assert_num_queries):
    request = RequestFactory().get("/me/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    text = page(response)
    assert in_the_site_frame(text)
    assert "服务暂时不可用" in text


@pytest.mark.urls("tests.config.broken_urls")
def test_an_error_raised_by_a_view_answers_the_500_page_without_its_locals():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = page(response)
    assert in_the_site_frame(text)
    assert "服务暂时不可用" in text
    assert "field_key" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in text


# --- both languages ----------------------------------------------------------------------------------------------------


def test_the_404_page_follows_the_browsers_language():
    text = page(Client(headers={"accept-language": "en-GB,en;q=0.9"}).get("/no/such/page/"))
    assert in_the_site_frame(text)
    assert 'lang="en"' in text
    assert "Page not found" in text
    assert "Service guide" in text  # the footer in English too


def test_the_404_page_is_chinese_without_a_language_asked_for():
    text = page(Client().get("/no/such/page/"))
    assert 'lang="zh-CN"' in text
    assert "办事指南" in text


def test_the_404_page_keeps_the_signed_in_frame(applicant):
    client = Client()
    client.force_login(applicant)
    text = page(client.get("/no/such/page/"))
    assert in_the_site_frame(text)
    assert "退出" in text  # the header of a signed-in page, not the anonymous one


@pytest.mark.urls("tests.config.broken_urls")
@pytest.mark.parametrize(
    "ask", [{"cookie": "en"}, {"accept-language": "en-US,en;q=0.8"}], ids=["language cookie", "accept-language"]
)
def test_the_500_page_speaks_the_language_the_visitor_chose(ask):
    client = Client(raise_request_exception=False, headers={k: v for k, v in ask.items() if k != "cookie"})
    if "cookie" in ask:
        client.cookies["django_language"] = ask["cookie"]
    response = client.get("/boom/")
    assert response.status_code == 500
    text = page(response)
    assert in_the_site_frame(text)
    assert 'lang="en"' in text
    assert "Service temporarily unavailable" in text
    assert "服务暂时不可用" not in text


def test_the_500_page_reads_the_language_from_the_request_not_from_the_thread(django_assert_num_queries):
    """The failure may come before LocaleMiddleware ran: the thread still speaks Chinese, the visitor asked English."""
    request = RequestFactory().get("/me/", headers={"accept-language": "en"})
    with django_assert_num_queries(0):
        text = page(server_error(request))
    assert "Service temporarily unavailable" in text
    assert 'lang="en"' in text


def test_the_500_pages_language_switch_carries_a_csrf_token():
    text = page(server_error(RequestFactory().get("/me/")))
    token = text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert len(token) >= 32
    assert 'name="language" value="en"' in text
