"""What a service can refuse: a stable `code` for machines and a lazily translated message for people.

Services raise these; each door turns them into its own words in one place — the API into the bodies of
contracts/cases-api.md (NotFound → 404, Forbidden → 403, InvalidState → 409, Invalid, Ineligible, MaterialsMissing
and FileRefused → 422, each with its `code`), the pages through `wrp.portal.common.refusals`. Messages are
`gettext_lazy` strings with the Chinese text as msgid, so they are rendered in the language active where they are
shown (the request's), never at the raise. A refused call changes nothing: services raise before writing, or inside the
transaction that is then rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise  # a plain string or a lazily translated one


class ServiceError(Exception):
    """Base of every refusal a service can give."""

    default_code = "refused"
    default_message: Message = _("操作未能完成。")

    def __init__(self, message: Message | None = None, *, code: str | None = None) -> None:
        self.code = code or self.default_code
        self.message = self.default_message if message is None else message
        super().__init__(self.code)

    def __str__(self) -> str:
        return str(self.message)


class NotFound(ServiceError):
    """The object does not exist or the caller may not see it (the two are never told apart)."""

    default_code = "not_found"
    default_message = _("未找到，或您无权查看。")


class Forbidden(ServiceError):
    """The caller sees the object but their role or relation may not take this action."""

    default_code = "forbidden"
    default_message = _("您无权进行此操作。")


class InvalidState(ServiceError):
    """The action is not allowed in the object's current state."""

    default_code = "invalid_state"
    default_message = _("当前状态下不能进行此操作。")

    def __init__(self, state: str, message: Message | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.state = state


class Invalid(ServiceError):
    """Bad input, by field path: {path: message}; `codes` names each field's problem for machines."""

    default_code = "invalid_request"
    default_message = _("请更正标出的内容。")

    def __init__(self, fields: Mapping[str, Message], *, code: str | None = None,
                 codes: Mapping[str, str] | None = None) -> None:
        super().__init__(code=code)
        self.fields = dict(fields)
        self.codes = dict(codes or {})

    def messages(self) -> dict[str, str]:
        """Each field's message in the active language."""
        return {path: str(message) for path, message in self.fields.items()}

    def __str__(self) -> str:
        return "; ".join(f"{path}: {message}" for path, message in self.messages().items())


class Ineligible(ServiceError):
    """The policy refuses the submission; carries the full assessment (contract JSON, both languages)."""

    default_code = "ineligible"
    default_message = _("按政策不符合条件，不能提交。")

    def __init__(self, assessment: dict[str, Any], *, code: str | None = None) -> None:
        super().__init__(code=code)
        self.assessment = assessment


class MaterialsMissing(ServiceError):
    default_code = "materials_missing"
    default_message = _("尚有必需的材料未上传。")

    def __init__(self, missing: list[str], *, code: str | None = None) -> None:
        super().__init__(code=code)
        self.missing = missing


class FileRefused(ServiceError):
    """An upload refused by content: not_pdf | too_large | too_many_pages | encrypted | damaged."""

    REASONS = ("not_pdf", "too_large", "too_many_pages", "encrypted", "damaged")
    default_code = "file_refused"
    default_message = _("文件未被接受。")

    def __init__(self, reason: str, message: Message | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.reason = reason
