"""Every list downloads as CSV (UTF-8 with a BOM, streamed) and Excel (opens with openpyxl), with the filters on
screen and only what the viewer may see, ID numbers masked, headers in the page's language, and a number of queries
that does not grow with the rows (wrp.exports)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import make_association, make_ledger, make_open_unit, make_permit, make_user
from tests.portal.list_queries import listed_cases
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.cases.claims import case_claim
from wrp.cases.models import CaseState
from wrp.exports.exporters import EXPORTERS

BOM = "\ufeff".encode()
OWNER = {  # who may download each export
    "clerk-queue": "clerk",
    "clerk-cases": "clerk",
    "bureau-queue": "approver",
    "bureau-quotas": "approver",
    "audit-events": "approver",
    "unit-cases": "handler",
    "unit-employees": "handler",
    "unit-quota": "handler",
}
PERSONAS = ("applicant", "handler", "clerk", "approver", "admin")


def url(name: str, fmt: str = "csv", query: str = "") -> str:
    return f"/exports/{name}.{fmt}" + (f"?{query}" if query else "")


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def signed_in(client, user):
    client.force_login(user)
    return client


def test_every_list_named_in_the_issue_has_an_export():
    assert set(EXPORTERS) == set(OWNER)


@pytest.mark.parametrize("name", sorted(OWNER))
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_lists_role_may_download_it(client, people, name, persona):
    response = signed_in(client, getattr(people, persona)).get(url(name))
    assert response.status_code == (200 if persona == OWNER[name] else 403)


def test_anonymous_is_sent_to_sign_in_and_unknown_exports_are_not_found(client, people):
    assert client.get(url("clerk-queue")).status_code == 302
    signed_in(client, people.clerk)
    assert client.get(url("nothing")).status_code == 404
    assert client.get(url("clerk-queue", "pdf")).status_code == 404


def test_the_clerk_queue_exports_its_filters_as_csv_with_a_bom_and_masked_ids(client, people, today):
    initial = listed_cases(3, kind="initial", today=today)
    listed_cases(2, kind="renewal", today=today)
    listed_cases(1, state=CaseState.APPROVED, today=today)  # not in the queue
    case_claim(case=initial[0], actor=people.clerk)
    signed_in(client, people.clerk)
    rows = csv_rows(client.get(url("clerk-queue")))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["案件编号", "事项", "变更类型"]
    assert "认领人" in header
    assert "身份证号码" in header
    assert len(body) == 5
    ids = [row[header.index("身份证号码")] for row in body]
    assert all("*" in number for number in ids)
    filtered = csv_rows(client.get(url("clerk-queue", query="kind=initial&after=bogus")))
    assert sorted(row[0] for row in filtered[1:]) == sorted(case.public_id for case in initial)
    mine = csv_rows(client.get(url("clerk-queue", query="held=mine")))
    assert [row[0] for row in mine[1:]] == [initial[0].public_id]
    assert mine[1][header.index("认领人")] == (people.clerk.real_name or people.clerk.username)


def test_the_export_follows_the_pages_order(client, people, today):
    listed_cases(4, today=today)
    signed_in(client, people.clerk)
    page = client.get("/clerk/")
    shown = [row["case"].public_id for row in page.context["rows"]]
    exported = [row[0] for row in csv_rows(client.get(url("clerk-queue")))[1:]]
    assert exported == shown


def test_the_excel_file_opens_and_has_the_rows_with_headers_in_english(client, people, today):
    cases = listed_cases(3, today=today)
    signed_in(client, people.clerk)
    client.cookies["django_language"] = "en"
    rows = xlsx_rows(client.get(url("clerk-cases", "xlsx"), headers={"Accept-Language": "en"}))
    with translation.override("en"):
        expected = [translation.gettext(word) for word in ("案件编号", "事项", "状态")]
    assert expected[0] != "案件编号"
    assert [rows[0][0], rows[0][1], rows[0][rows[0].index(expected[2])]] == expected
    assert sorted(row[0] for row in rows[1:]) == sorted(case.public_id for case in cases)


def test_the_excel_file_keeps_dates_as_dates_and_numbers_as_numbers(client, people, today):
    make_ledger(people.unit, today.year, granted=10, reserved=2, used=3)
    signed_in(client, people.handler)
    header, *rows = xlsx_rows(client.get(url("unit-quota", "xlsx")))
    [row] = rows
    assert row[header.index("剩余")] == 5
    assert row[header.index("年度")] == today.year


def test_a_unit_handler_exports_only_their_units_cases(client, people, today):
    mine = listed_cases(2, unit=people.unit, today=today)
    listed_cases(2, unit=people.other_unit, today=today)
    listed_cases(1, unit=people.unit, state=CaseState.APPROVED, today=today)
    signed_in(client, people.handler)
    exported = csv_rows(client.get(url("unit-cases", query=f"state={CaseState.SUBMITTED}")))
    assert sorted(row[0] for row in exported[1:]) == sorted(case.public_id for case in mine)


def test_a_unit_handler_exports_their_employees_in_post_with_their_permits_masked(client, people, today):
    employee = make_user(Role.APPLICANT, real_name="赵六", id_number_masked="110105********1234")
    make_association(employee, people.unit)
    permit = make_permit(employee, people.unit)
    make_association(make_user(Role.APPLICANT, real_name="钱七"), people.other_unit)
    make_association(make_user(Role.APPLICANT, real_name="孙八"), people.unit, state="requested")
    signed_in(client, people.handler)
    header, *rows = csv_rows(client.get(url("unit-employees")))
    assert len(rows) == 1
    assert rows[0][header.index("员工")] == "赵六"
    assert rows[0][header.index("身份证号码")] == "110105********1234"
    assert rows[0][header.index("工作居住证编号")] == permit.number


def test_the_bureau_queue_exports_the_cases_awaiting_approval_by_kind(client, people, today):
    initial = listed_cases(2, kind="initial", state=CaseState.PENDING_APPROVAL, today=today)
    listed_cases(1, kind="renewal", state=CaseState.PENDING_APPROVAL, today=today)
    listed_cases(1, kind="initial", state=CaseState.IN_REVIEW, today=today)
    signed_in(client, people.approver)
    rows = csv_rows(client.get(url("bureau-queue", query="kind=initial")))
    assert sorted(row[0] for row in rows[1:]) == sorted(case.public_id for case in initial)
    assert len(csv_rows(client.get(url("bureau-queue")))) == 4


def test_the_bureau_ledger_exports_the_years_units_matching_the_search(client, people, today):
    make_ledger(people.unit, today.year, granted=5)
    make_ledger(people.other_unit, today.year, granted=7)
    make_ledger(people.other_unit, today.year - 1, granted=1)
    signed_in(client, people.approver)
    rows = csv_rows(client.get(url("bureau-quotas", query=f"year={today.year}")))
    assert sorted(row[0] for row in rows[1:]) == sorted([people.unit.name, people.other_unit.name])
    rows = csv_rows(client.get(url("bureau-quotas", query=f"year={today.year}&unit=乙")))
    assert [(row[0], row[3]) for row in rows[1:]] == [(people.other_unit.name, "7")]


def test_a_unit_handler_exports_only_their_units_ledgers(client, people, today):
    make_ledger(people.unit, today.year, granted=5)
    make_ledger(people.other_unit, today.year, granted=7)
    signed_in(client, people.handler)
    rows = csv_rows(client.get(url("unit-quota")))
    assert [row[0] for row in rows[1:]] == [people.unit.name]


def test_the_audit_extract_is_filtered_and_read_by_the_bureau_alone(client, people, today):
    cases = listed_cases(2, today=today)
    case_claim(case=cases[0], actor=people.clerk)
    case_claim(case=cases[1], actor=people.clerk)
    signed_in(client, people.approver)
    header, *rows = csv_rows(client.get(url("audit-events", query="action=case.claim")))
    assert {row[header.index("操作")] for row in rows} == {"case.claim"}
    assert sorted(row[header.index("对象")] for row in rows) == sorted(str(case.pk) for case in cases)
    page = client.get("/bureau/audit-events/", {"action": "case.claim"})
    assert page.status_code == 200
    assert len(page.context["listing"].items) == 2
    assert 'href="/exports/audit-events.csv?action=case.claim"' in page.content.decode()
    signed_in(client, people.clerk)
    assert client.get("/bureau/audit-events/").status_code == 403


def test_each_download_is_an_audit_event_naming_the_filters_never_their_values(client, people, today):
    listed_cases(1, today=today)
    signed_in(client, people.clerk)
    csv_rows(client.get(url("clerk-queue", query="name=张")))
    event = AuditEvent.objects.get(action="export.download")
    assert event.object_id == "clerk-queue"
    assert event.changes == {"format": "csv", "filters": ["name"]}


def test_a_cell_that_would_be_a_formula_is_written_as_text(client, people, today):
    unit = make_open_unit(name='=HYPERLINK("http://example.com")')
    listed_cases(1, unit=unit, today=today)
    signed_in(client, people.clerk)
    header, row = csv_rows(client.get(url("clerk-queue")))
    assert row[header.index("单位")].startswith("'=")
    header, row = xlsx_rows(client.get(url("clerk-queue", "xlsx")))
    assert row[header.index("单位")].startswith("'=")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_runs_the_same_number_of_queries_at_3_and_30_rows(client, people, today, fmt):
    listed_cases(3, today=today)
    signed_in(client, people.clerk)
    b"".join(client.get(url("clerk-queue", fmt)).streaming_content)  # the session and the calendar: read once

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("clerk-queue", fmt))
            b"".join(response.streaming_content)
        return len(captured)

    few = count()
    listed_cases(27, today=today)
    assert count() == few <= 10


def test_an_excel_file_over_the_limit_is_refused_with_the_csv_offered(client, people, today, settings):
    settings.EXPORT_XLSX_MAX_ROWS = 2
    listed_cases(3, today=today)
    signed_in(client, people.clerk)
    response = client.get(url("clerk-queue", "xlsx", "kind=initial"))
    assert response.status_code == 422
    assert 'href="/exports/clerk-queue.csv?kind=initial"' in response.content.decode()
    assert len(csv_rows(client.get(url("clerk-queue", query="kind=initial")))) == 4


@pytest.mark.parametrize(
    ("page", "name", "persona"),
    [
        ("/clerk/", "clerk-queue", "clerk"),
        ("/clerk/cases/", "clerk-cases", "clerk"),
        ("/bureau/", "bureau-queue", "approver"),
        ("/bureau/quotas/", "bureau-quotas", "approver"),
        ("/unit/cases/", "unit-cases", "handler"),
        ("/unit/employees/", "unit-employees", "handler"),
        ("/unit/quota/", "unit-quota", "handler"),
    ],
)
def test_each_list_links_its_exports_with_the_filters_on_screen_but_not_the_cursor(client, people, page, name, persona):
    html = signed_in(client, getattr(people, persona)).get(page, {"kind": "initial", "after": "x"}).content.decode()
    assert f'href="/exports/{name}.csv?kind=initial"' in html
    assert f'href="/exports/{name}.xlsx?kind=initial"' in html
