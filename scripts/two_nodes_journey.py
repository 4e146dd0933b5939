"""The journey of scripts/two_nodes.sh across two nodes, through the API with bearer tokens.

On node A a unit's handler opens the unit_opening case of a registered unit and uploads its materials (each upload is checked by
a worker, on either node, reading the file from the shared storage); then on node B the clerk downloads each file (the
same bytes, whichever node stored them), accepts them and approves the case (the approval issues and signs a PDF,
stored by node B); node A then sees the case approved. Prints one line per step, and at the end the X-Request-ID of the
upload (the script looks for it in node A's log) as `journey-request-id <id>`.

    NODE_A=http://127.0.0.1:PORT NODE_B=http://127.0.0.1:PORT TOKEN_HR=… TOKEN_CLERK=… UNIT=<credit code> \
        python scripts/two_nodes_journey.py
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

NODE_A, NODE_B = os.environ["NODE_A"], os.environ["NODE_B"]
TOKENS = {"hr": os.environ["TOKEN_HR"], "clerk": os.environ["TOKEN_CLERK"]}


def call(
    node: str,
    who: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    files: dict[str, bytes] | None = None,
    expect: tuple[int, ...] = (200, 201),
) -> tuple[Any, dict[str, str]]:
    headers = {"Authorization": f"Bearer {TOKENS[who]}"}
    data = None
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for name, content in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(node + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), dict(error.headers)
    if status not in expect:
        sys.exit(f"{method} {path} on {node}: HTTP {status}: {raw[:600]!r}")
    content_type = answer_headers.get("Content-Type", "")
    return (json.loads(raw) if content_type.startswith("application/json") else raw), answer_headers


def sample_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica", 14)
    for line in range(30):
        page.drawString(60, 780 - line * 24, f"{text} - line {line + 1} of a scanned material, two-node journey")
    page.showPage()
    page.save()
    return buffer.getvalue()


def main() -> None:
    case, _ = call(NODE_A, "hr", "POST", "/api/v1/cases", {"kind": "unit_opening", "unit": os.environ["UNIT"]})
    case_id = case["id"]
    print(f"  node A  hr opens case {case_id}: {case['state']}")
    stored: dict[str, str] = {}
    upload_request_id = ""
    for material in case["materials"]:
        code = material["code"]
        answer, headers = call(
            NODE_A,
            "hr",
            "POST",
            f"/api/v1/cases/{case_id}/materials/{code}",
            files={"file": sample_pdf(code)},
            expect=(201,),
        )
        stored[code] = answer["sha256"]
        upload_request_id = upload_request_id or headers.get("X-Request-ID", "")
        print(f"  node A  hr uploads {code}: {answer['status']} (checked by a worker), sha256 {answer['sha256'][:12]}…")
    case, _ = call(NODE_A, "hr", "POST", f"/api/v1/cases/{case_id}/submit")
    print(f"  node A  hr submits: {case['state']}")

    case, _ = call(NODE_B, "clerk", "POST", f"/api/v1/cases/{case_id}/start_review")
    print(f"  node B  clerk starts the review: {case['state']}")
    for code, sha256 in stored.items():
        content, _ = call(NODE_B, "clerk", "GET", f"/api/v1/cases/{case_id}/materials/{code}/file")
        if hashlib.sha256(content).hexdigest() != sha256:
            sys.exit(f"node B served other bytes for {code} than node A stored")
        print(f"  node B  clerk downloads {code}: {len(content)} bytes, the same sha256")
        call(NODE_B, "clerk", "POST", f"/api/v1/cases/{case_id}/materials/{code}/verdict", {"accepted": True})
    reasons = {rule: "两节点试运行：已核对" for rule in _review_rules(case)}
    case, _ = call(NODE_B, "clerk", "POST", f"/api/v1/cases/{case_id}/approve", {"review_reasons": reasons})
    print(f"  node B  clerk approves: {case['state']}")
    seen, _ = call(NODE_A, "hr", "GET", f"/api/v1/cases/{case_id}")
    if seen["state"] != "approved":
        sys.exit(f"node A sees the case {seen['state']}, not approved")
    print("  node A  hr sees it approved")
    print(f"journey-request-id {upload_request_id}")


def _review_rules(case: dict[str, Any]) -> list[str]:
    results = (case.get("assessment") or {}).get("checks") or []
    return [result["rule"] for result in results if isinstance(result, dict) and result.get("outcome") == "review"]


if __name__ == "__main__":
    main()
