"""Unified login (issue 13 §1): OpenID Connect sign-in through 北京市统一身份认证, driven end to end with Django's test
client against a real OpenID provider on 127.0.0.1 (tests/accounts/oidc_provider.py): the platform's token, key and
userinfo requests go over HTTP to it. The verified ID number names the person; staff are refused; a forged or
misdirected id_token is refused; off unless configured.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import OTHER_VALID_ID, VALID_ID
from tests.accounts.oidc_provider import TAMPERING, LocalProvider
from wrp.accounts import oidc
from wrp.accounts.models import Role, User
from wrp.accounts.services import user_create, user_set_id_number, user_update
from wrp.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CLIENT_ID = "wrp-chaoyang"
CLIENT_SECRET = "test-secret-" + "x" * 20
BACKEND = "wrp.accounts.oidc.CityIdentityBackend"
START = "/oidc/authenticate/"
CALLBACK = "/oidc/callback/"
LOGIN = reverse("accounts:login")
LANDING = reverse("accounts:landing")
BUTTON = "使用北京市统一身份认证登录"
NEW_PERSON_ID = "110101199003078515"


def identity(id_number: str = VALID_ID, **claims: str) -> dict[str, str]:
    return {"sub": "bj-7f3a91", "name": "张三", "id_number": id_number, "phone_number": "13800138000", **claims}


@pytest.fixture
def provider():
    with LocalProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, identity=identity()) as running:
        yield running


@pytest.fixture
def unified_login(settings, provider):
    """The platform configured for the local provider by its issuer (endpoints from discovery), as production is."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return provider


def sign_in(client: Client, provider: LocalProvider, start: str = START):
    """The whole flow: the platform sends the browser to the provider, which sends it back with a code."""
    started = client.get(start)
    assert started.status_code == 302
    assert started["Location"].startswith(f"{provider.issuer}/authorize?")
    approved = requests.get(started["Location"], allow_redirects=False, timeout=5)
    assert approved.status_code == 302, approved.text
    back = urlsplit(approved.headers["Location"])
    assert (back.netloc, back.path) == ("testserver", CALLBACK)
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def refused_with(response, text: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    page = response.client.get(LOGIN).content.decode()
    assert text in page


def refusals() -> list[str]:
    return [event.changes["reason"] for event in AuditEvent.objects.filter(action="auth.oidc_refused").order_by("id")]


# --- who is signed in ---------------------------------------------------------------------------------------------------


def test_an_applicant_is_signed_in_by_the_verified_id_number(client, unified_login, applicant):
    users_before = User.objects.count()
    response = sign_in(client, unified_login)
    assert response.status_code == 302
    assert response["Location"] == LANDING
    assert signed_in_as(client) == applicant
    assert client.get(LANDING)["Location"] == reverse("portal:applicant_home")
    assert User.objects.count() == users_before
    login = AuditEvent.objects.get(action="auth.login")
    assert (login.actor_id, login.object_id) == (applicant.pk, str(applicant.pk))


def test_the_id_number_is_matched_whatever_the_case_of_its_check_character(client, unified_login, applicant):
    unified_login.identity = identity(VALID_ID.lower())
    sign_in(client, unified_login)
    assert signed_in_as(client) == applicant


def test_a_unit_handler_is_signed_in(client, unified_login, handler):
    user_set_id_number(user=handler, id_number=OTHER_VALID_ID, actor=None)
    unified_login.identity = identity(OTHER_VALID_ID)
    response = sign_in(client, unified_login)
    assert response["Location"] == LANDING
    assert signed_in_as(client) == handler


def test_the_page_asked_for_before_sign_in_is_where_the_person_lands(client, unified_login, applicant):
    response = sign_in(client, unified_login, start=f"{START}?next=/applicant/")
    assert response["Location"] == "/applicant/"
    assert signed_in_as(client) == applicant


def test_someone_unknown_becomes_an_applicant_with_the_verified_name_and_id_number(client, unified_login):
    unified_login.identity = identity(NEW_PERSON_ID, name="王小明", phone_number="13912345678")
    response = sign_in(client, unified_login)
    assert response["Location"] == LANDING
    user = signed_in_as(client)
    assert user is not None
    assert (user.role, user.real_name, user.phone) == (Role.APPLICANT, "王小明", "13912345678")
    assert user.id_number_masked.startswith("110")
    assert NEW_PERSON_ID not in user.id_number_masked
    assert not user.has_usable_password()
    assert user.username.startswith("city-")
    created = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert created.changes["id_number"] == "set"
    assert NEW_PERSON_ID not in str(created.changes)
    # The second time, the same person is found, not made again.
    client.logout()
    sign_in(client, unified_login)
    assert signed_in_as(client) == user
    assert User.objects.filter(role=Role.APPLICANT, real_name="王小明").count() == 1


@pytest.mark.parametrize("persona", ["clerk", "approver", "admin"])
def test_staff_are_refused_and_sent_to_the_local_sign_in(request, client, unified_login, persona):
    staff = request.getfixturevalue(persona)
    user_set_id_number(user=staff, id_number=OTHER_VALID_ID, actor=None)
    unified_login.identity = identity(OTHER_VALID_ID)
    response = sign_in(client, unified_login)
    refused_with(response, "工作人员请使用本平台账户登录，并输入动态验证码")
    assert signed_in_as(client) is None
    assert refusals() == ["staff_role"]
    assert AuditEvent.objects.get(action="auth.oidc_refused").object_id == str(staff.pk)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_deactivated_applicant_is_refused(client, unified_login, applicant):
    user_update(user=applicant, actor=None, is_active=False)
    response = sign_in(client, unified_login)
    refused_with(response, "该账户已停用")
    assert signed_in_as(client) is None
    assert refusals() == ["inactive"]


@pytest.mark.parametrize(("claims", "reason"), [
    ({"id_number": ""}, "no_id_number"),
    ({"id_number": "110105194912310021"}, "invalid_id_number"),  # wrong check character
], ids=["missing", "invalid"])
def test_an_identity_without_a_valid_id_number_is_refused(client, unified_login, claims, reason):
    users_before = User.objects.count()
    unified_login.identity = {**identity(), **claims}
    response = sign_in(client, unified_login)
    refused_with(response, "未能通过北京市统一身份认证登录")
    assert signed_in_as(client) is None
    assert User.objects.count() == users_before
    assert refusals() == [reason]


# --- what is checked of the provider's answer --------------------------------------------------------------------------


@pytest.mark.parametrize("tamper", TAMPERING)
def test_a_forged_or_misdirected_id_token_is_refused(client, unified_login, applicant, tamper):
    unified_login.tamper = tamper
    response = sign_in(client, unified_login)
    refused_with(response, "未能通过北京市统一身份认证登录")
    assert signed_in_as(client) is None
    assert refusals() == ["subject_mismatch" if tamper == "userinfo_subject" else "token_invalid"]
    assert AuditEvent.objects.filter(action="auth.login_failed").exists()


def test_a_replayed_callback_signs_nobody_in(client, unified_login, applicant):
    started = client.get(START)
    back = requests.get(started["Location"], allow_redirects=False, timeout=5).headers["Location"]
    callback = urlsplit(back)
    assert client.get(f"{callback.path}?{callback.query}")["Location"] == LANDING
    assert client.get(f"{callback.path}?{callback.query}")["Location"] == LOGIN  # its state is spent
    assert signed_in_as(client) == applicant
    thief = Client()
    response = thief.get(f"{callback.path}?{callback.query}")
    refused_with(response, "未能通过北京市统一身份认证登录")
    assert signed_in_as(thief) is None


def test_a_callback_the_provider_reports_as_failed_returns_to_the_sign_in_page(client, unified_login):
    started = client.get(START)
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    response = client.get(CALLBACK, {"error": "access_denied", "state": state})
    refused_with(response, "未能通过北京市统一身份认证登录")


def test_the_platform_asks_the_provider_over_http_with_pkce(client, unified_login, applicant):
    started = client.get(START)
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert "nonce" in query
    client.logout()
    sign_in(client, unified_login)
    assert {"/.well-known/openid-configuration", "/authorize", "/token", "/jwks", "/userinfo"} <= set(
        unified_login.paths_seen())


def test_explicit_endpoints_need_no_discovery(client, settings, unified_login, applicant):
    issuer = unified_login.issuer
    settings.OIDC_OP_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.OIDC_TOKEN_USE_BASIC_AUTH = True
    sign_in(client, unified_login)
    assert signed_in_as(client) == applicant
    assert "/.well-known/openid-configuration" not in unified_login.paths_seen()


def test_an_unreachable_provider_is_said_so_on_the_sign_in_page(client, settings, unified_login):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.get(START)
    refused_with(response, "北京市统一身份认证暂时无法使用")


def test_the_id_number_is_never_logged(client, unified_login, caplog):
    unified_login.identity = identity(NEW_PERSON_ID)
    with caplog.at_level(logging.DEBUG):
        sign_in(client, unified_login)
        client.logout()
        unified_login.tamper = "nonce"
        sign_in(client, unified_login)
    assert "unified sign-in refused: token_invalid" in caplog.text
    assert NEW_PERSON_ID not in caplog.text
    assert NEW_PERSON_ID[:17] not in caplog.text
    assert all(NEW_PERSON_ID not in str(event.changes) for event in AuditEvent.objects.all())
    assert repr(oidc.Identity(id_number=NEW_PERSON_ID, name="王小明", phone="")) == "Identity(…)"


# --- local sign-in stays, and the button ------------------------------------------------------------------------------


def test_local_sign_in_works_beside_the_unified_login_without_asking_the_provider(client, unified_login):
    user_create(username="local_applicant", role=Role.APPLICANT, password="Demo-2026-wrp")
    response = client.post(LOGIN, {"username": "local_applicant", "password": "Demo-2026-wrp"})
    assert response.status_code == 302
    assert signed_in_as(client).username == "local_applicant"
    assert unified_login.seen == []


def test_the_sign_in_page_offers_the_unified_login_when_configured(client, unified_login):
    page = client.get(f"{LOGIN}?next=/applicant/").content.decode()
    assert BUTTON in page
    assert 'href="/oidc/authenticate/?next=/applicant/"' in page
    # A link, not a form: the redirect to the provider is a navigation, which CSP's form-action does not govern.
    before = page[: page.index('href="/oidc/authenticate/')]
    assert before.count("<form") == before.count("</form>")
    assert unified_login.seen == []  # showing the page asks the provider nothing


def test_unified_login_is_off_by_default(client, settings, applicant):
    assert settings.OIDC_ENABLED is False
    assert BACKEND not in settings.AUTHENTICATION_BACKENDS
    assert BUTTON not in client.get(LOGIN).content.decode()
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404

