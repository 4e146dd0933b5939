"""Sign-in through the city's unified identity platform (北京市统一身份认证), an OpenID Connect provider.

The platform is a relying party (mozilla-django-oidc, authorization code flow with PKCE): the sign-in page's button
starts the flow (`oidc_authentication_init`), the provider signs the person in and sends them back with a code
(`oidc_authentication_callback`), which is exchanged for an RS256 id_token checked against the provider's keys (JWKS):
signature, issuer, audience (our client id), expiry and this sign-in's nonce. The claims come from the userinfo
endpoint, for the same subject. The verified resident ID number (claim OIDC_ID_NUMBER_CLAIM) names the person, found by
its keyed hash (`user_by_id_number`), never by a scan: an applicant or unit handler is signed in; clerks, approvers and
administrators are refused (they sign in locally, with a second factor); someone unknown becomes an applicant
(`user_create` with the verified name, ID number and phone, and no password).

A sign-in is audited as every sign-in is (`auth.login`, wrp.audit.receivers); a refusal as `auth.oidc_refused` with its
reason. The ID number is never logged. Off unless configured (OIDC_ENABLED): then both views answer 404 and the sign-in
page shows no button. Endpoints not set one by one are read from the issuer's discovery document, kept for an hour;
nothing is fetched from the provider at start-up, nor by a local sign-in.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from wrp.accounts.models import Role, User
from wrp.accounts.services import user_by_id_number, user_create
from wrp.audit.services import audit_note
from wrp.core.admission import waiting
from wrp.core.clientaddr import client_address
from wrp.core.errors import Invalid
from wrp.policy.identifiers import resident_id_problem

LOGGER = logging.getLogger(__name__)

SIGN_IN_ROLES = frozenset({Role.APPLICANT, Role.UNIT_HANDLER})  # staff sign in locally, with a second factor
DISCOVERY_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60
USERNAME_PREFIX = "city-"  # accounts made by a unified sign-in; the name says nothing about the person
ENDPOINTS = {  # setting → its key in the discovery document
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

SIGN_IN_FAILED = _("未能通过北京市统一身份认证登录，请重试，或使用本平台账户登录。")
PROVIDER_UNAVAILABLE = _("北京市统一身份认证暂时无法使用，请稍后再试，或使用本平台账户登录。")
REFUSAL_MESSAGES = {
    "staff_role": _("工作人员请使用本平台账户登录，并输入动态验证码。"),
    "inactive": _("该账户已停用，请联系区人力资源和社会保障局。"),
    "provider_error": PROVIDER_UNAVAILABLE,
}
REFUSED_ON_REQUEST = "wrp_oidc_refusal"  # the backend leaves its reason on the request for the callback's message


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read, or names another issuer."""


class Refusal(Exception):
    """A verified sign-in the platform does not accept; `reason` is recorded, never the person's data."""

    def __init__(self, reason: str, user: User | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user = user


# --- the provider's settings ---------------------------------------------------------------------------------------

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def _discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document (/.well-known/openid-configuration), fetched at most once an hour."""
    with _discovery_lock:
        fetched = _discovered.get(issuer)
        if fetched is not None and time.monotonic() - fetched[0] < DISCOVERY_SECONDS:
            return fetched[1]
    try:
        with waiting():
            response = requests.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration",
                                    timeout=settings.OIDC_TIMEOUT, proxies=settings.OIDC_PROXY)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(type(error).__name__) from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise ProviderUnavailable("the discovery document names another issuer")
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def provider_setting(name: str, *default: Any) -> Any:
    """A setting of mozilla-django-oidc; an endpoint left unset is read from the issuer's discovery document."""
    if name in ENDPOINTS and not getattr(settings, name, ""):
        value = _discovery(settings.OIDC_OP_ISSUER).get(ENDPOINTS[name])
        if not value:
            raise ProviderUnavailable(f"the discovery document has no {ENDPOINTS[name]}")
        return value
    return import_from_settings(name, *default)


def unified_login(request: HttpRequest) -> dict[str, bool]:
    """Template context: whether the sign-in page offers the unified login."""
    return {"oidc_enabled": bool(settings.OIDC_ENABLED)}


# --- the verified identity -----------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Identity:
    id_number: str
    name: str
    phone: str

    def __repr__(self) -> str:  # never the ID number in a log or a traceback
        return "Identity(…)"


def _claim(claims: dict[str, Any], setting: str) -> str:
    value = claims.get(getattr(settings, setting))
    return str(value).strip() if isinstance(value, str | int) else ""


def verified_identity(claims: dict[str, Any]) -> Identity:
    """The person the provider vouches for: a valid resident ID number, with the name and phone it gave."""
    id_number = _claim(claims, "OIDC_ID_NUMBER_CLAIM")
    if not id_number:
        raise Refusal("no_id_number")
    if resident_id_problem(id_number) is not None:
        raise Refusal("invalid_id_number")
    name_field, phone_field = User._meta.get_field("real_name"), User._meta.get_field("phone")
    phone = _claim(claims, "OIDC_PHONE_CLAIM")
    return Identity(
        id_number=id_number,
        name=_claim(claims, "OIDC_NAME_CLAIM")[: name_field.max_length],
        phone=phone if len(phone) <= phone_field.max_length else "",
    )


def _applicant_for(identity: Identity) -> User:
    """A new applicant for someone the platform does not know yet, through the one door for new users."""
    try:
        return user_create(username=USERNAME_PREFIX + secrets.token_hex(6), role=Role.APPLICANT,
                           real_name=identity.name, id_number=identity.id_number, phone=identity.phone)
    except Invalid:
        # Two sign-ins of the same new person raced: the ID number is unique, the other one made the account.
        user = user_by_id_number(identity.id_number)
        if user is None:
            raise
        return user


def user_for_identity(identity: Identity) -> User:
    """The account of the holder of the verified ID number (made when there is none); Refusal for staff or inactive."""
    user = user_by_id_number(identity.id_number) or _applicant_for(identity)
    if user.role not in SIGN_IN_ROLES:
        raise Refusal("staff_role", user)
    if not user.is_active:
        raise Refusal("inactive", user)
    return user


# --- the backend and the views -------------------------------------------------------------------------------------


class CityIdentityBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, reading the provider lazily and mapping the identity by ID number."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes every backend for every sign-in and every request's session: read no provider setting here
        # (discovery would reach the provider); `_configure` does, in the callback's sign-in alone.
        self.UserModel = get_user_model()

    def _configure(self) -> None:
        OIDCAuthenticationBackend.__init__(self)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Sign in from the provider's callback (which alone passes a nonce); None for every other sign-in."""
        if request is None or not settings.OIDC_ENABLED or "nonce" not in kwargs:
            return None
        try:
            with waiting():  # the provider's answers (discovery, token, keys) are waited for without a worker's slot
                self._configure()
                return super().authenticate(request, **kwargs)
        except Refusal as refusal:
            self._refused(request, refusal.reason, refusal.user)
        except (requests.RequestException, ProviderUnavailable) as error:
            self._refused(request, "provider_error", detail=type(error).__name__)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError) as error:
            self._refused(request, "token_invalid", detail=type(error).__name__)
        return None

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The token's claims, after its signature, algorithm, issuer, audience and expiry are checked."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("id_token signed with another algorithm")
        issuer = settings.OIDC_OP_ISSUER or None
        try:
            return jwt.decode(
                payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID, issuer=issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "aud", "sub", *(["iss"] if issuer else [])]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"id_token refused: {type(error).__name__}") from None

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The userinfo claims, which must speak of the id_token's subject; the signed id_token's own claims win."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise Refusal("subject_mismatch")
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        return user_for_identity(verified_identity(self.get_userinfo(access_token, id_token, payload)))

    def get_user(self, user_id: Any) -> User | None:
        return ModelBackend.get_user(self, user_id)  # an inactive user's session counts for nothing

    def _refused(self, request: HttpRequest, reason: str, user: User | None = None, detail: str = "") -> None:
        setattr(request, REFUSED_ON_REQUEST, reason)
        LOGGER.warning("unified sign-in refused: %s %s", reason, detail)
        audit_note(actor=None, actor_role="anonymous", action="auth.oidc_refused", object_type="accounts.user",
                   object_id=str(user.pk) if user is not None else "", outcome="refused",
                   changes={"reason": reason, "address": client_address(request)})


class CityIdentityRequestView(OIDCAuthenticationRequestView):
    """The button's target: off (404) unless configured; the provider's authorization endpoint read per request."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library reads the endpoint here, where discovery could not be answered

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as error:
            LOGGER.warning("unified sign-in unavailable: %s", error)
            messages.error(request, PROVIDER_UNAVAILABLE)
            return redirect("accounts:login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CityIdentityCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: signed in and on to their page, or back to the sign-in page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this session never started (a replayed or forged callback)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, REFUSED_ON_REQUEST, "")
        messages.error(self.request, REFUSAL_MESSAGES.get(reason, SIGN_IN_FAILED))
        return redirect("accounts:login")
