"""The permit certificate and the public verification page its QR code opens: signed tokens, what the page shows
(and does not), the live status, the rate limit on bad tokens, and the QR code read back from the printed page.

What the page shows: the masked name, the number, the status in words and the validity — DESIGN.md's list and no
more. Not the unit either: a landlord or a school checking a permit needs to know whether it is genuine and in force,
not where its holder works, and the printed certificate they hold names the unit already.
"""

from __future__ import annotations

import shutil
import string
import subprocess
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.clock import SHANGHAI, TODAY, beijing
from tests.factories import make_permit
from wrp.accounts.services import user_set_id_number
from wrp.permits.models import PermitStatus
from wrp.permits.services import permit_certificate_issue
from wrp.permits.verification import masked_name, permit_from_token, permit_token, permit_verify_url
from wrp.portal.documents import verify_url
from wrp.units.models import Association, AssociationState

WHOLE_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_moment():
    return beijing(2026, 11, 26, 10, 0, 30)


@pytest.fixture
def people(people):
    personas = people
    personas.applicant.real_name = "张三丰"
    personas.applicant.save(update_fields=["real_name"])
    user_set_id_number(user=personas.applicant, id_number=WHOLE_ID, actor=None)
    return personas


@pytest.fixture
def permit(people):
    return make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))


@pytest.fixture
def issued(people, permit, private_media):
    """The permit's certificate issued as a record (the download serves the issued document)."""
    return permit_certificate_issue(permit=permit, actor=people.approver,
                                    at=datetime(2025, 3, 1, 10, tzinfo=SHANGHAI))


def verify_path(permit) -> str:
    return reverse("documents:verify", args=[permit_token(permit)])


def page(path: str, client: Client | None = None, **extra) -> tuple[int, str, object]:
    response = (client or Client()).get(path, **extra)
    return response.status_code, response.content.decode(), response


# --- the token -----------------------------------------------------------------------------------------------------


def test_a_token_names_its_permit(permit):
    assert permit_from_token(permit_token(permit)) == permit


def test_the_token_does_not_carry_the_permit_number(permit):
    token = permit_token(permit)
    assert permit.number not in token
    assert verify_path(permit).startswith("/verify/")


@pytest.mark.parametrize("where", ["changed", "truncated", "extended", "empty", "too-long"])
def test_an_altered_token_names_no_permit(permit, where):
    token = permit_token(permit)
    altered = {
        "changed": ("A" if token[0] != "A" else "B") + token[1:],
        "truncated": token[:-1],
        "extended": token + "A",
        "empty": "",
        "too-long": token * 3,
    }[where]
    assert permit_from_token(altered) is None


def test_tokens_are_random_and_reveal_no_sequence(people):
    """Permits created one after another get unrelated 128-bit tokens: no key, no number, no common prefix."""
    permits = [make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1)) for _ in range(5)]
    tokens = [permit_token(p) for p in permits]
    assert len(set(tokens)) == 5
    for permit, token in zip(permits, tokens, strict=True):
        assert len(token) == 22
        assert set(token) <= set(string.ascii_letters + string.digits + "-_")
        assert str(permit.pk) not in token.split(":")
        # not the old signed-key shape `<base64 of the key>:<signature>` (a bare search for the key's two base64
        # characters in 22 random ones would fail one run in a few hundred)
        assert not token.startswith(signing.b64_encode(f"{permit.pk}:".encode()).decode().rstrip("="))
        assert permit.number not in token
    assert len({token[:4] for token in tokens}) > 1
    assert permit_from_token(tokens[2]) == permits[2]


def test_the_old_signed_key_token_is_no_longer_honoured(permit):
    """Links of certificates printed before the migration carried the permit's key, signed: they find nothing now."""
    old = signing.Signer(salt="wrp.permit.verify", algorithm="sha256").sign_object(permit.pk)
    assert permit_from_token(old) is None
    assert page(f"/verify/{old}/")[0] == 404


def test_the_verify_url_is_under_the_public_base_url_not_the_requests_host(permit, settings, rf):
    settings.PUBLIC_BASE_URL = "https://wrp.example.gov.cn"
    settings.ALLOWED_HOSTS = ["attacker.example", "testserver"]
    assert permit_verify_url(permit) == f"https://wrp.example.gov.cn/verify/{permit_token(permit)}/"
    request = rf.get("/permits/x/certificate.pdf", HTTP_HOST="attacker.example")
    assert verify_url(request, permit) == permit_verify_url(permit)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张*丰"), ("张三", "张*"), ("欧阳娜娜", "欧*娜"), ("张", "*"), ("", "")],
    ids=["three", "two", "four", "one", "none"],
)
def test_names_are_masked_to_first_and_last_character(name, masked):
    assert masked_name(name) == masked


# --- the public page -----------------------------------------------------------------------------------------------


def test_the_page_shows_the_masked_name_number_status_and_validity_only(people, permit):
    status, html, response = page(verify_path(permit))
    assert status == 200
    assert "张*丰" in html
    assert permit.number in html
    assert "有效" in html
    assert "2025年3月1日" in html
    assert "2028年3月1日" in html
    for private in ("张三丰", WHOLE_ID, "110105********002X", people.unit.name, people.unit.credit_code):
        assert private not in html
    assert response["Cache-Control"] == "no-store"


def test_the_page_needs_no_sign_in_and_is_in_english_on_request(permit):
    client = Client()
    client.cookies["django_language"] = "en"
    status, html, _ = page(verify_path(permit), client)
    assert status == 200
    assert "Valid" in html
    assert "Permit number" in html


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"status": PermitStatus.REVOKED}, "已撤销"),
        ({"status": PermitStatus.SUSPENDED, "suspended_on": TODAY}, "挂起"),
        ({"status": PermitStatus.EXPIRED}, "已失效"),
        ({"valid_until": TODAY - timedelta(days=1)}, "已失效"),
    ],
    ids=["revoked", "suspended", "expired", "past-its-last-day-before-the-sweep"],
)
def test_the_status_is_read_live(permit, change, words):
    path = verify_path(permit)
    assert '<span class="permit-status permit-valid">有效</span>' in page(path)[1]
    type(permit).objects.filter(pk=permit.pk).update(**change)
    status, html, _ = page(path)
    assert status == 200
    assert f">{words}</span>" in html
    assert ">有效</span>" not in html


def test_a_permit_on_its_last_day_is_still_valid(permit):
    type(permit).objects.filter(pk=permit.pk).update(valid_until=TODAY)
    assert ">有效</span>" in page(verify_path(permit))[1]


def test_an_altered_token_gets_not_found(permit):
    token = permit_token(permit)
    status, html, response = page(f"/verify/{token[:-2]}xy/")
    assert status == 404
    assert "未找到该证件" in html
    assert "not found" in html.lower()
    assert permit.number not in html
    assert response["Cache-Control"] == "no-store"


def test_too_many_bad_tokens_from_one_address_are_refused_for_the_minute(permit):
    client = Client()
    for attempt in range(30):
        assert client.get(f"/verify/MQ:forged{attempt}/").status_code == 404
    refused = client.get("/verify/MQ:forged-again/")
    assert refused.status_code == 429
    assert refused["Cache-Control"] == "no-store"
    assert 0 < int(refused["Retry-After"]) <= 60
    # every token, so a valid one cannot be told apart from a forged one while refused
    assert client.get(verify_path(permit)).status_code == 429
    # another address is not affected
    assert client.get(verify_path(permit), REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_limit_lifts_in_the_next_minute(permit):
    client = Client()
    for attempt in range(31):
        client.get(f"/verify/MQ:forged{attempt}/")
    assert client.get(verify_path(permit)).status_code == 429
    with time_machine.travel(datetime(2026, 11, 26, 10, 1, 30, tzinfo=SHANGHAI), tick=False):
        assert client.get(verify_path(permit)).status_code == 200


def test_valid_tokens_do_not_count_towards_the_limit(permit):
    client = Client()
    for _ in range(40):
        assert client.get(verify_path(permit)).status_code == 200


# --- the certificate -----------------------------------------------------------------------------------------------


def certificate_path(permit) -> str:
    return f"/permits/{permit.number}/certificate.pdf"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "approver"])
def test_the_holder_their_units_handlers_and_the_staff_download_the_certificate(people, permit, issued, persona):
    response = signed_in(getattr(people, persona)).get(certificate_path(permit))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{permit.number}-certificate')
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("persona", ["other_applicant", "other_handler", "admin"])
def test_others_get_404_for_the_certificate(people, permit, persona):
    assert signed_in(getattr(people, persona)).get(certificate_path(permit)).status_code == 404


def test_a_unit_that_released_the_holder_no_longer_gets_the_certificate(people, permit):
    Association.objects.create(unit=people.unit, applicant=people.applicant, state=AssociationState.RELEASED,
                               requested_at=datetime(2025, 1, 1, tzinfo=SHANGHAI))
    assert signed_in(people.handler).get(certificate_path(permit)).status_code == 404


def test_anonymous_visitors_get_no_certificate(permit):
    response = Client().get(certificate_path(permit))
    assert response.status_code in (302, 404)
    assert b"%PDF" not in response.content


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_certificate_names_the_holder_number_unit_and_validity(people, permit, issued, tmp_path):
    source = tmp_path / "certificate.pdf"
    source.write_bytes(signed_in(people.applicant).get(certificate_path(permit)).content)
    text = "".join(subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    assert "北京市工作居住证" in text
    assert "姓名张三丰" in text
    assert f"证件编号{permit.number}" in text
    assert f"聘用单位{people.unit.name}" in text
    assert "发证日期2025年3月1日" in text
    assert "有效期至2028年3月1日" in text
    assert f"核验地址：http://127.0.0.1:8000/verify/{permit_token(permit)}/" in text  # PUBLIC_BASE_URL, not Host
    assert WHOLE_ID not in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools (zbarimg) not installed")
def test_the_qr_code_on_the_certificate_opens_the_permits_verification_page(people, permit, tmp_path, settings,
                                                                            private_media):
    settings.PUBLIC_BASE_URL = "https://wrp.example.gov.cn"  # printed when issued, whatever Host is asked later
    permit_certificate_issue(permit=permit, actor=people.approver, at=datetime(2025, 3, 1, 10, tzinfo=SHANGHAI))
    source = tmp_path / "certificate.pdf"
    source.write_bytes(signed_in(people.applicant).get(certificate_path(permit)).content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, text=True,
                             timeout=60)
    assert decoded.returncode == 0, decoded.stderr
    link = decoded.stdout.strip()
    assert link == "https://wrp.example.gov.cn" + verify_path(permit)  # the setting, not the request's host
    assert permit.number not in link
    status, html, _ = page(link.removeprefix("https://wrp.example.gov.cn"))
    assert status == 200
    assert permit.number in html
    assert "张*丰" in html


def test_the_page_of_the_printed_certificate_shows_the_revocation_at_once(people, permit):
    path = verify_path(permit)
    type(permit).objects.filter(pk=permit.pk).update(status=PermitStatus.REVOKED)
    assert ">已撤销</span>" in page(path)[1]

