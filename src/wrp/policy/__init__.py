"""wrp.policy — the law as code: POLICY.md without Django, without I/O beyond its own data files.

Entry point: `assess(request) -> Assessment` (contracts/assessment.md). Everything a decision depends on lives here:
the seven service items, one function per rule ID, the wage table, the materials checklist, working days and
identifiers.
"""

from wrp.policy.assess import Evaluation, assess, evaluate
from wrp.policy.facts import InvalidRequest
from wrp.policy.models import Assessment, AssessmentRequest

__all__ = ["Assessment", "AssessmentRequest", "Evaluation", "InvalidRequest", "assess", "evaluate"]
