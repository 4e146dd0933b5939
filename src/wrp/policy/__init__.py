"""wrp.policy — the law as code: POLICY.md without Django, without I/O beyond its own data files.

Entry point: `assess(request) -> Assessment` (contracts/assessment.md). Everything a decision depends on lives here:
the seven service items, one function per rule ID, the wage table, the materials checklist, working days and
identifiers.
"""

from typing import TYPE_CHECKING, Any

from wrp.policy.assess import Evaluation, assess, evaluate
from wrp.policy.facts import InvalidRequest
from wrp.policy.response import Assessment

if TYPE_CHECKING:
    from wrp.policy.models import AssessmentRequest

__all__ = ["Assessment", "AssessmentRequest", "Evaluation", "InvalidRequest", "assess", "evaluate"]


def __getattr__(name: str) -> Any:
    """`AssessmentRequest` (the pydantic model) is imported on first use: assessing a request does not need it."""
    if name == "AssessmentRequest":
        from wrp.policy.models import AssessmentRequest

        return AssessmentRequest
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
