"""One function per rule ID of POLICY §5–§7, registered in `RULES` by importing the modules below."""

from wrp.policy.rules import applicant, conditions, permit, unit
from wrp.policy.rules.base import RULES, Context, Result, Rule, Verdict

__all__ = ["RULES", "Context", "Result", "Rule", "Verdict", "applicant", "conditions", "permit", "unit"]
