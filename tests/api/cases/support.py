"""What the case API tests share: real PDFs made with pikepdf, a client per persona with its bearer token, and
cases brought to each state through the services (the endpoint under test is the only HTTP in a test)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import pikepdf
from django.test import Client

from tests.clock import NOW, SHANGHAI, TODAY  # noqa: F401  (read from here by the test modules)
from tests.factories import Personas, case_in_state
from wrp.cases.materials import case_checklist, material_upload, material_verdict
from wrp.cases.models import Case
from wrp.documents.pdfcheck import Sanitised

API = "/api/v1"
PERSONAS = ("applicant", "other_applicant", "handler", "other_handler", "clerk", "approver", "admin", "anonymous")


def pdf_bytes(pages: int = 1, *, text: bytes = b"") -> bytes:
    """A real PDF: `pages` pages, each with a drawing (and `text` in a comment, to make two files differ)."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
        pdf.pages[-1].obj.Contents = pdf.make_stream(b"q 0 0 1 rg 72 72 200 100 re f Q\n% " + text + b"\n")
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    pikepdf.Pdf.open(io.BytesIO(pdf_bytes())).save(buffer, encryption=pikepdf.Encryption(owner="o", user="u"))
    return buffer.getvalue()


def safe_pdf(label: str = "") -> Sanitised:
    """A PDF the platform made itself, handed to `material_upload` as already sanitised (no worker process)."""
    data = pdf_bytes(text=label.encode())
    return Sanitised(pdf=data, pages=1, sha256=hashlib.sha256(data).hexdigest())


class Caller:
    """A test client signed in with a bearer token (or anonymous): JSON bodies, paths relative to /api/v1."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(API + path, query, headers=self.headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            API + path, {} if body is None else body, content_type="application/json",
            headers={**self.headers, **headers},
        )

    def post_raw(self, path: str, data: bytes, content_type: str = "application/json") -> Any:
        return self.client.post(API + path, data, content_type=content_type, headers=self.headers)

    def upload(self, path: str, data: bytes, name: str = "material.pdf") -> Any:
        handle = io.BytesIO(data)
        handle.name = name
        return self.client.post(API + path, {"file": handle}, headers=self.headers)


@dataclass
class Api:
    """One caller per persona: `api.handler.post(...)`; `api.anonymous` sends no credentials."""

    applicant: Caller
    other_applicant: Caller
    handler: Caller
    other_handler: Caller
    clerk: Caller
    approver: Caller
    admin: Caller
    anonymous: Caller

    def __getitem__(self, persona: str) -> Caller:
        return getattr(self, persona)


# --- cases in each state, through the services ---------------------------------------------------------------------


def upload_all(case: Case, *, by: Any) -> list[str]:
    """Every material of the checklist uploaded (as already-sanitised PDFs, stored for real)."""
    codes = case_checklist(case)
    for code in codes:
        material_upload(case=case, code=code, actor=by, data=b"", sanitised=safe_pdf(code))
    return codes


def accept_all(case: Case, *, clerk: Any) -> None:
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=clerk, accepted=True)


def draft(people: Personas) -> Case:
    """The handler's `initial` case for `applicant`, every material uploaded (stored for real)."""
    return case_in_state(people, "draft", materials=upload_all)


def submitted(people: Personas) -> Case:
    return case_in_state(people, "submitted", materials=upload_all)


def in_review(people: Personas) -> Case:
    """Picked up by the clerk, every material accepted."""
    return case_in_state(people, "in_review", materials=upload_all)


def returned(people: Personas) -> Case:
    return case_in_state(people, "returned", materials=upload_all)


def pending(people: Personas) -> Case:
    return case_in_state(people, "pending_approval", materials=upload_all)


STATES = {"draft": draft, "submitted": submitted, "in_review": in_review, "returned": returned, "pending": pending}


def refusal_body(status: int) -> dict[str, Any]:
    """The part of the contract's error body fixed by the status alone."""
    return {401: {"error": "unauthenticated"}, 403: {"error": "forbidden"}, 404: {"error": "not_found"}}[status]
