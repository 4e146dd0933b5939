"""The headers every answer carries: the Content-Security-Policy on pages (no inline script or style anywhere in the
templates), `sandbox` + nosniff + no-store on downloads, no-store on what a signed-in user sees and on the API,
public pages left cacheable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.cases import conftest as case_fixtures
from wrp.accounts.services import token_create
from wrp.cases.services import case_open

people = case_fixtures.people
SOURCE = Path(__file__).resolve().parents[2] / "src" / "wrp"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_a_public_page_carries_the_policy_and_stays_cacheable():
    response = Client().get("/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_signed_in_users_page_is_never_stored(people):
    client = Client()
    client.force_login(people.applicant)
    response = client.get("/me/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


def test_every_api_answer_is_never_stored(people):
    headers = {"Authorization": f"Bearer {token_create(user=people.applicant)}"}
    assert "no-store" in Client().get("/api/v1/me", headers=headers)["Cache-Control"]
    assert "no-store" in Client().get("/api/v1/me")["Cache-Control"]  # a refusal too


@pytest.mark.usefixtures("private_media")
@pytest.mark.parametrize("inline", [False, True], ids=["attachment", "inline"])
def test_a_download_is_sandboxed_never_sniffed_never_stored(people, inline):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    client = Client()
    client.force_login(people.applicant)
    response = client.get(f"/cases/{case.public_id}/documents/integrity-personal.pdf" + ("?inline=1" if inline else ""))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.usefixtures("private_media")
def test_an_api_download_is_sandboxed(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    headers = {"Authorization": f"Bearer {token_create(user=people.handler)}"}
    response = Client().get(f"/api/v1/cases/{case.public_id}/documents/drafts/integrity_personal/file",
                            headers=headers)
    assert response.status_code == 200
    assert (response["Content-Security-Policy"], response["X-Content-Type-Options"]) == ("sandbox", "nosniff")
    assert "no-store" in response["Cache-Control"]


# --- the templates hold nothing the policy refuses --------------------------------------------------------------------

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on": re.compile(r"\shx-on", re.IGNORECASE),
    "javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_holds_inline_script_style_or_handlers():
    found = []
    for template in sorted(SOURCE.rglob("templates/**/*.html")):
        text = template.read_text()
        for what, pattern in INLINE.items():
            found += [f"{template.relative_to(SOURCE)}: {what}: {match.group(0)!r}" for match in pattern.finditer(text)]
    assert found == []


def test_htmx_runs_without_eval_and_without_its_inline_indicator_styles():
    base = (SOURCE / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
    assert ".htmx-indicator" in (SOURCE / "static" / "wrp" / "site.css").read_text()
