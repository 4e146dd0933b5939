"""The clerk's part of the case page (`portal/case/_actions_window_clerk.html`): the frozen facts, each material with
its verdict form and the one being viewed, the `review` outcomes that need a reason, the correction notice composed
from the verdicts, and what approving or forwarding will do. Built from the shared case context with no further
query."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy

from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseState, MaterialStatus
from wrp.core.language import page_language
from wrp.portal.clerk.facts import fact_sections

NOTES = {  # where the case stands when the clerk has nothing to do on it
    CaseState.RETURNED: gettext_lazy("已退回补正，等待单位按补正告知一次性补正后重新提交；其间办理时限暂停。"),
    CaseState.PENDING_APPROVAL: gettext_lazy("已上报区人社局，等待区局审批。"),
}



def workbench(context: dict[str, Any], *, errors: dict[str, str], values: dict[str, str],
               viewing: str | None) -> dict[str, Any]:
    """What the clerk's part of the case page needs beyond the shared case context (no further query)."""
    case: Case = context["case"]
    lang = page_language()
    with_file = [material for material in context["materials"] if material["file"]]
    codes = [material["code"] for material in with_file]
    if viewing not in codes:
        waiting = [material["code"] for material in with_file if material["status"] == MaterialStatus.UPLOADED]
        viewing = (waiting or codes or [None])[0]
    materials = [
        {
            **material,
            "viewing": material["code"] == viewing,
            "verdict": values.get(f"verdict_{material['code']}", ""),
            "verdict_reason": values.get(f"verdict_reason_{material['code']}", ""),
            "verdict_error": errors.get(f"verdict_{material['code']}"),
            "verdict_reason_error": errors.get(f"verdict_reason_{material['code']}"),
        }
        for material in context["materials"]
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
    as_of = (case.frozen_facts or {}).get("as_of")
    return {
        "facts": fact_sections(case.frozen_facts, lang, changed=changes["facts"]),
        "as_of": date.fromisoformat(as_of) if as_of else None,
        "materials": materials,
        "viewing": next((material for material in materials if material["viewing"]), None),
        "reviews": reviews,
        "notice": notice,
        "not_accepted": [m for m in materials if m["required"] and m["status"] != MaterialStatus.ACCEPTED],
        "forward": kind_of(case).to_bureau,
        "effect": kind_of(case).decision,
        "note": NOTES.get(case.state, ""),
        "resubmitted": bool(changes["facts"] or changes["materials"]),
        "errors": errors,
        "values": values,
        "summary": [{"anchor": f"clerk-{field}", "message": message} for field, message in errors.items()],
    }

