#!/usr/bin/env bash
# A new unit from registration to its first employee's work residence permit, through the v1 API
# (contracts/cases-api.md) — what a unit's HR system does, step by step:
#
#   1. the handler registers the unit (account none) and files `unit_opening` with its PDFs;
#      the window clerk reviews and approves it: the account opens;
#   2. the handler declares the year's quota, the bureau grants it;
#   3. the employee fills in their profile and asks the unit to associate them; the handler accepts;
#   4. the handler files the employee's `initial` case with its PDFs and books an appointment slot;
#   5. the clerk returns it for correction (one material), the handler uploads it again and resubmits;
#   6. the clerk accepts every material and forwards it; the bureau approves: the permit is issued.
#
# Needs only curl and python3 (for reading JSON), against a running server and its worker (`wrp worker` checks each
# upload; the upload answers 202 with a check to ask again when the verdict takes longer than the server waits):
#   WRP_URL          the server (default http://127.0.0.1:8000)
#   HANDLER_TOKEN, APPLICANT_TOKEN, CLERK_TOKEN, APPROVER_TOKEN
#                    bearer tokens of the four people; any not given is created with `$WRP user add` and
#                    `$WRP user token` (the API has no user creation), so run it where `wrp` reaches the server's
#                    database (same DATABASE_URL), or give all four tokens.
#   WRP              the wrp command (default: wrp)
# Prints each step, and the permit number last; exits non-zero at the first answer that is not the expected one.

set -euo pipefail

WRP_URL="${WRP_URL:-http://127.0.0.1:8000}"
WRP="${WRP:-wrp}"
API="${WRP_URL%/}/api/v1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# json EXPRESSION: evaluate a Python expression over the JSON document on standard input, bound to `d`.
json() { python3 -c "import json, sys; d = json.load(sys.stdin); r = ($1); print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))"; }

# call EXPECTED_STATUS METHOD PATH TOKEN [JSON_BODY]: the response body on standard output.
call() {
    local expected="$1" method="$2" path="$3" token="$4" body="${5:-}" status
    local args=(-sS -X "$method" -o "$WORK/response" -w '%{http_code}' -H "Authorization: Bearer $token"
                -H 'Accept: application/json')
    if [ -n "$body" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    status="$(curl "${args[@]}" "$API$path")" || die "$method $path: no answer from $WRP_URL"
    if [ "$status" != "$expected" ]; then
        printf '%s %s → %s (expected %s):\n' "$method" "$path" "$status" "$expected" >&2
        cat "$WORK/response" >&2; echo >&2
        exit 1
    fi
    cat "$WORK/response"
}

# upload TOKEN CASE_ID CODE: a one-page PDF for that material (multipart, field `file`); a 202 (still being
# checked by the worker) is followed by its check, every half second for up to two minutes, until it is 200.
upload() {
    local token="$1" case_id="$2" code="$3" status check tries=0
    make_pdf "$WORK/$code.pdf" "$code $(date +%s%N)"
    status="$(curl -sS -o "$WORK/response" -w '%{http_code}' -H "Authorization: Bearer $token" \
        -F "file=@$WORK/$code.pdf;type=application/pdf" "$API/cases/$case_id/materials/$code")"
    if [ "$status" = 202 ]; then
        check="$(json 'd["check"]' < "$WORK/response")"
        while [ "$status" = 202 ] && [ "$tries" -lt 240 ]; do
            sleep 0.5
            tries=$((tries + 1))
            status="$(curl -sS -o "$WORK/response" -w '%{http_code}' -H "Authorization: Bearer $token" \
                "$API/cases/$case_id/materials/$code/checks/$check")"
        done
        [ "$status" = 200 ] && status=201  # the check answers 200 with the body the upload would have had
    fi
    [ "$status" = 201 ] || { cat "$WORK/response" >&2; die "upload of $code → $status"; }
    echo "   uploaded $code" >&2
}

# make_pdf FILE LABEL: a small valid PDF, one A4 page with the label and a coloured box.
make_pdf() {
    python3 -c '
import sys
path, label = sys.argv[1], sys.argv[2].encode("ascii", "replace").replace(b"(", b"").replace(b")", b"")
content = b"BT /F1 18 Tf 72 760 Td (" + label + b") Tj ET 0.2 0.4 0.8 rg 72 500 300 200 re f"
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]
out, offsets = bytearray(b"%PDF-1.4\n"), []
for number, body in enumerate(objects, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(path, "wb").write(out)
' "$1" "$2"
}

# person ROLE USERNAME REAL_NAME: a bearer token for a new user with that role and real name (documents print it).
person() {
    "$WRP" user add "$2" --role "$1" --name "$3" >&2 || die "could not create user $2 (is \$WRP=$WRP on the server's database?)"
    "$WRP" user token "$2" | tail -n 1
}

# required_materials CASE_JSON: the codes of the case's required materials, one a line.
required_materials() { json '"\n".join(m["code"] for m in d["materials"] if m["required"])'; }

# review_reasons CASE_JSON: {"rule": reason} for each `review` outcome of the frozen assessment.
review_reasons() {
    json '{"review_reasons": {c["rule"]: "已核实，予以认可 / checked and accepted" for c in ((d["assessment"] or {}).get("checks") or []) if c["outcome"] == "review"}}'
}

# accept_materials CASE_ID: the clerk accepts every required material not yet accepted.
accept_materials() {
    local case_id="$1" code
    for code in $(call 200 GET "/cases/$case_id" "$CLERK_TOKEN" |
                  json '"\n".join(m["code"] for m in d["materials"] if m["required"] and m["status"] != "accepted")'); do
        call 200 POST "/cases/$case_id/materials/$code/verdict" "$CLERK_TOKEN" '{"accepted": true}' >/dev/null
        echo "   accepted $code" >&2
    done
}

TODAY="$(TZ=Asia/Shanghai date +%F)"
YEAR="${TODAY%%-*}"
RUN="$(date +%s)$$"

# --- 0. the people ------------------------------------------------------------------------------------------------
say "0. people"
HANDLER_TOKEN="${HANDLER_TOKEN:-$(person unit_handler "hr$RUN" 王经办)}"
APPLICANT_TOKEN="${APPLICANT_TOKEN:-$(person applicant "employee$RUN" 李明)}"
CLERK_TOKEN="${CLERK_TOKEN:-$(person window_clerk "clerk$RUN" 赵窗口)}"
APPROVER_TOKEN="${APPROVER_TOKEN:-$(person bureau_approver "bureau$RUN" 钱审批)}"
APPLICANT="$(call 200 GET /me "$APPLICANT_TOKEN" | json 'd["username"]')"
echo "   handler $(call 200 GET /me "$HANDLER_TOKEN" | json 'd["username"]'), applicant $APPLICANT" >&2

# --- 1. the unit and its account ----------------------------------------------------------------------------------
say "1. register the unit and open its account (unit_opening)"
CREDIT_CODE="${CREDIT_CODE:-$(python3 -c '
import secrets
alphabet, weights = "0123456789ABCDEFGHJKLMNPQRTUWXY", (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
first17 = "91110105" + "".join(secrets.choice(alphabet) for _ in range(9))
print(first17 + alphabet[(31 - sum(alphabet.index(c) * w for c, w in zip(first17, weights)) % 31) % 31])
')}"
UNIT_BODY="$(python3 -c '
import json, sys
code, year = sys.argv[1], int(sys.argv[2])
print(json.dumps({
    "credit_code": code, "name": "北京示例科技有限公司", "kind": "enterprise", "legal_person": True,
    "registered_district": "chaoyang", "tax_district": "chaoyang", "tax_paid_since": "2019-05-01",
    "registered_capital": 5000000, "annual_tax": {str(year - 3): 280000, str(year - 2): 250000, str(year - 1): 300000},
    "qualifications": [],
}, ensure_ascii=False))
' "$CREDIT_CODE" "$YEAR")"
call 201 POST /units "$HANDLER_TOKEN" "$UNIT_BODY" | json '"   unit " + d["credit_code"] + ", account " + d["account"]["status"]' >&2

CASE="$(call 201 POST /cases "$HANDLER_TOKEN" "{\"kind\": \"unit_opening\", \"unit\": \"$CREDIT_CODE\"}")"
CASE_ID="$(echo "$CASE" | json 'd["id"]')"
echo "   case $CASE_ID (unit_opening)" >&2
for code in $(echo "$CASE" | required_materials); do upload "$HANDLER_TOKEN" "$CASE_ID" "$code"; done
call 200 POST "/cases/$CASE_ID/submit" "$HANDLER_TOKEN" '{}' | json '"   " + d["state"]' >&2
call 200 POST "/cases/$CASE_ID/start_review" "$CLERK_TOKEN" | json '"   " + d["state"]' >&2
accept_materials "$CASE_ID"
REASONS="$(call 200 GET "/cases/$CASE_ID" "$CLERK_TOKEN" | review_reasons)"
call 200 POST "/cases/$CASE_ID/approve" "$CLERK_TOKEN" "$REASONS" | json '"   " + d["state"]' >&2
call 200 GET "/units/$CREDIT_CODE" "$HANDLER_TOKEN" | json '"   account " + d["account"]["status"] + " in " + str(d["account"]["district"])' >&2

# --- 2. quota -----------------------------------------------------------------------------------------------------
say "2. quota for $YEAR"
REQUEST_ID="$(call 201 POST "/units/$CREDIT_CODE/quota-requests" "$HANDLER_TOKEN" \
    "{\"year\": $YEAR, \"requested\": 2, \"reason\": \"新招聘研发人员 / new research staff\"}" | json 'd["id"]')"
call 200 POST "/quota-requests/$REQUEST_ID/grant" "$APPROVER_TOKEN" '{"granted": 2}' >/dev/null
call 200 GET "/units/$CREDIT_CODE/quota/$YEAR" "$HANDLER_TOKEN" | json '"   granted %d, remaining %d" % (d["granted"], d["remaining"])' >&2

# --- 3. the employee ----------------------------------------------------------------------------------------------
say "3. the employee's profile and association"
call 200 PUT /me/profile "$APPLICANT_TOKEN" '{
    "nationality": "CN", "hukou": "non_beijing", "dispatched": false,
    "employment_start": "2023-01-10", "contract_end": "2029-01-09",
    "housing": {"kind": "owned", "lease_end": null},
    "talent_condition": 1, "degree": "master", "work_experience_years": 4,
    "professional_title": null, "award": null, "ip": null, "startup": null, "annual_tax_paid": null,
    "recommended_and_approved": false, "overseas_qualification": false,
    "taxable_income_12m": 400000, "taxable_income_by_year": null, "income_paid_by_unit": true,
    "social_insurance_months_by_unit": 24, "social_insurance_unit_matches": true,
    "children": [], "accompanying_spouse": false
}' >/dev/null
ASSOCIATION_CODE="$(call 200 GET "/units/$CREDIT_CODE" "$HANDLER_TOKEN" | json 'd["association_code"]')"
ASSOCIATION_ID="$(call 201 POST /associations "$APPLICANT_TOKEN" "{\"association_code\": \"$ASSOCIATION_CODE\"}" | json 'd["id"]')"
call 200 POST "/associations/$ASSOCIATION_ID/accept" "$HANDLER_TOKEN" | json '"   association " + str(d["id"]) + " " + d["state"]' >&2

# --- 4. the initial case ------------------------------------------------------------------------------------------
say "4. the employee's initial case"
CASE="$(call 201 POST /cases "$HANDLER_TOKEN" \
    "{\"kind\": \"initial\", \"unit\": \"$CREDIT_CODE\", \"applicant\": \"$APPLICANT\"}")"
CASE_ID="$(echo "$CASE" | json 'd["id"]')"
echo "   case $CASE_ID (initial)" >&2
MATERIALS="$(echo "$CASE" | required_materials)"
for code in $MATERIALS; do upload "$HANDLER_TOKEN" "$CASE_ID" "$code"; done
UNTIL="$(python3 -c 'import datetime, sys; print(datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(days=30))' "$TODAY")"
SLOT="$(call 200 GET "/slots?from=$TODAY&to=$UNTIL" "$HANDLER_TOKEN" |
        json 'next((s["id"] for s in d if s["booked"] < s["capacity"]), "")')"
[ -n "$SLOT" ] || die "no free appointment slot between $TODAY and $UNTIL"
call 200 POST "/cases/$CASE_ID/submit" "$HANDLER_TOKEN" "{\"slot\": \"$SLOT\"}" |
    json '"   " + d["state"] + ", decision due " + str(d["clock"]["due"])' >&2

# --- 5. correction ------------------------------------------------------------------------------------------------
say "5. returned for correction, corrected, resubmitted"
FIRST="$(echo "$MATERIALS" | head -n 1)"
call 200 POST "/cases/$CASE_ID/start_review" "$CLERK_TOKEN" >/dev/null
call 200 POST "/cases/$CASE_ID/return" "$CLERK_TOKEN" \
    "{\"problems\": [{\"material\": \"$FIRST\", \"text\": \"扫描件不清晰，请重新上传 / the scan is illegible\"}]}" |
    json '"   " + d["state"]' >&2
upload "$HANDLER_TOKEN" "$CASE_ID" "$FIRST"
call 200 POST "/cases/$CASE_ID/resubmit" "$HANDLER_TOKEN" | json '"   " + d["state"]' >&2

# --- 6. forward and approve ---------------------------------------------------------------------------------------
say "6. forwarded by the window, approved by the bureau"
accept_materials "$CASE_ID"
REASONS="$(call 200 GET "/cases/$CASE_ID" "$CLERK_TOKEN" | review_reasons)"
call 200 POST "/cases/$CASE_ID/forward" "$CLERK_TOKEN" "$REASONS" | json '"   " + d["state"]' >&2
PERMIT="$(call 200 POST "/cases/$CASE_ID/approve" "$APPROVER_TOKEN" | json 'd["permit"]')"
call 200 GET "/permits/$PERMIT" "$APPLICANT_TOKEN" |
    json '"   permit %s %s, valid %s to %s" % (d["number"], d["status"], d["issued_on"], d["valid_until"])' >&2
echo "$PERMIT"
