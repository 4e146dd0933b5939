"""The clerk's part of the case page (`portal/case/_actions_window_clerk.html`): the frozen facts, each material with
its verdict form and the one being viewed, the manual checks with a form for each finding, the `review` outcomes that
need a reason, the correction notice composed from the verdicts, and what approving or forwarding will do. Built from
the shared case context with no further query; the case file's parts are shared with the bureau (`casefile.py`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseState, MaterialStatus
from wrp.portal.clerk.casefile import FINDINGS, file_facts, file_manual_checks, file_materials

NOTES = {  # where the case stands when the clerk has nothing to do on it
    CaseState.RETURNED: gettext_lazy("已退回补正，等待单位按补正告知一次性补正后重新提交；其间办理时限暂停。"),
    CaseState.PENDING_APPROVAL: gettext_lazy("已上报区人社局，等待区局审批。"),
}



def workbench(context: dict[str, Any], *, errors: dict[str, str], values: dict[str, str],
               viewing: str | None) -> dict[str, Any]:
    """What the clerk's part of the case page needs beyond the shared case context (no further query)."""
    case: Case = context["case"]
    materials = [
        {
            **material,
            "verdict": values.get(f"verdict_{material['code']}", ""),
            "verdict_reason": values.get(f"verdict_reason_{material['code']}", ""),
            "verdict_error": errors.get(f"verdict_{material['code']}"),
            "verdict_reason_error": errors.get(f"verdict_reason_{material['code']}"),
        }
        for material in file_materials(context, viewing=viewing, viewer="portal:clerk_material_view",
                                   page="portal:clerk_case")
    ]
    checks = (context["assessment"] or {}).get("checks", [])
    reviews = [
        {
            **check,
            "field": f"review_{check['rule']}",
            "value": values.get(f"review_{check['rule']}", (case.review_reasons or {}).get(check["rule"], "")),
            "error": errors.get(f"review_{check['rule']}"),
        }
        for check in checks
        if check["outcome"] == "review"
    ]
    notice = [
        {"code": material["code"], "field": f"problem_{material['code']}",
         "value": values.get(f"problem_{material['code']}", material["reason"]),
         "error": errors.get(f"problem_{material['code']}")}
        for material in context["materials"]
        if material["status"] == MaterialStatus.REJECTED
    ]
    changes = context["changes"]
    facts = file_facts(context)
    manual_checks = file_manual_checks(context, values=values, errors=errors)
    return {
        "facts": facts["sections"],
        "as_of": facts["as_of"],
        "materials": materials,
        "judging": "judge" in context["actions"],
        "viewing": next((material for material in materials if material["viewing"]), None),
        "reviews": reviews,
        "notice": notice,
        "not_accepted": [m for m in materials if m["required"] and m["status"] != MaterialStatus.ACCEPTED],
        "forward": kind_of(case).to_bureau,
        "effect": kind_of(case).decision,
        "note": NOTES.get(case.state, ""),
        "resubmitted": bool(changes["facts"] or changes["materials"]),
        "manual_checks": manual_checks,
        "unchecked": [row for row in manual_checks if not row["finding"]],
        "findings": FINDINGS,
        "errors": Blanks(errors),
        "values": Blanks(values),
        "summary": [{"anchor": f"clerk-{field}", "message": message} for field, message in errors.items()],
    }


class Blanks(dict[str, str]):
    """The clerk's errors or typed values by field, "" for a field without one: what the template prints for a
    missing key, without Django's failed lookup (three exceptions and a `dir()` of the dict, for each of the twenty
    fields a page asks about)."""

    def __missing__(self, key: str) -> str:
        return ""

