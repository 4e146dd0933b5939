"""What a service can refuse, in the words the pages and the API turn into messages and statuses.

The API maps them to contracts/cases-api.md: NotFound → 404, Forbidden → 403, InvalidState → 409, Invalid,
Ineligible, MaterialsMissing and FileRefused → 422. A refused call changes nothing: services raise before writing, or
inside the transaction that is then rolled back.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every refusal a service can give."""


class NotFound(ServiceError):
    """The object does not exist or the caller may not see it (the two are never told apart)."""


class Forbidden(ServiceError):
    """The caller sees the object but their role or relation may not take this action."""


class InvalidState(ServiceError):
    """The action is not allowed in the object's current state."""

    def __init__(self, state: str, message: str = "") -> None:
        super().__init__(message or f"not allowed in state {state}")
        self.state = state


class Invalid(ServiceError):
    """Bad input, by field path: {path: message}."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in fields.items()))
        self.fields = fields


class Ineligible(ServiceError):
    """The policy refuses the submission; carries the full assessment (contract JSON, both languages)."""

    def __init__(self, assessment: dict[str, Any]) -> None:
        super().__init__("ineligible")
        self.assessment = assessment


class MaterialsMissing(ServiceError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__("materials missing: " + ", ".join(missing))
        self.missing = missing


class FileRefused(ServiceError):
    """An upload refused by content: not_pdf | too_large | too_many_pages | encrypted | damaged."""

    REASONS = ("not_pdf", "too_large", "too_many_pages", "encrypted", "damaged")

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason
