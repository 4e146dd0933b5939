"""Permit rules of POLICY §6 (P-*): the state a held permit must be in, the renewal window and the review reserve.

As of 2025-06-03, 20 working days end on 2025-07-01 (the Dragon Boat holiday ends 06-02; POLICY §3): P-RESERVE warns
when that day is after the permit's `valid_until`.
"""

from __future__ import annotations

import pytest

from tests.policy.factories import ABSENT, base_request, check_for, outcome_of, rules_in
from wrp.policy import assess

AS_OF = "2025-06-03"


def permit(status: str, valid_until: str) -> dict[str, str]:
    return {"status": status, "valid_until": valid_until}


# --- P-VALID (children_change, info_change, renewal) -----------------------------------------------------------------

VALIDITY: dict[str, tuple[dict[str, str] | None, str]] = {
    "valid_permit_a_year_ahead_passes": (permit("valid", "2026-06-03"), "pass"),
    "valid_permit_ending_on_the_declaration_day_passes": (permit("valid", "2025-06-03"), "pass"),
    "valid_permit_that_ended_the_day_before_fails": (permit("valid", "2025-06-02"), "fail"),
    "suspended_permit_fails": (permit("suspended", "2026-06-03"), "fail"),
    "expired_permit_fails": (permit("expired", "2026-06-03"), "fail"),
    "revoked_permit_fails": (permit("revoked", "2026-06-03"), "fail"),
    "no_permit_fails": (None, "fail"),
}


@pytest.mark.parametrize("service", ["children_change", "info_change", "renewal"])
@pytest.mark.parametrize(("held", "expected"), list(VALIDITY.values()), ids=list(VALIDITY))
def test_changes_and_renewal_need_a_valid_unexpired_permit(
    service: str, held: dict[str, str] | None, expected: str
) -> None:
    result = assess(base_request(service, {"applicant.permit": held}, as_of=AS_OF))
    check = check_for(result, "P-VALID")
    assert check.outcome == expected
    if expected == "fail":
        assert result.decision == "ineligible"


@pytest.mark.parametrize(
    ("service", "section"), [("children_change", "G5"), ("info_change", "G6"), ("renewal", "G7")],
    ids=["children_change_cites_g5", "info_change_cites_g6", "renewal_cites_g7"],
)  # fmt: skip
def test_permit_validity_cites_the_items_own_section(service: str, section: str) -> None:
    assert check_for(assess(base_request(service)), "P-VALID").clause.startswith(section)


@pytest.mark.parametrize("service", ["children_change", "info_change", "renewal"])
def test_a_permit_left_out_means_none_and_fails(service: str) -> None:
    result = assess(base_request(service, {"applicant.permit": ABSENT}))
    assert outcome_of(result, "P-VALID") == "fail"


# --- P-TRANSFERABLE (employer_change) --------------------------------------------------------------------------------

TRANSFERABLE: dict[str, tuple[dict[str, str] | None, str]] = {
    "valid_permit_passes": (permit("valid", "2026-06-03"), "pass"),
    "suspended_permit_passes": (permit("suspended", "2026-06-03"), "pass"),
    "valid_permit_ending_on_the_declaration_day_passes": (permit("valid", "2025-06-03"), "pass"),
    "suspended_permit_ending_on_the_declaration_day_passes": (permit("suspended", "2025-06-03"), "pass"),
    "valid_permit_that_ended_the_day_before_fails": (permit("valid", "2025-06-02"), "fail"),
    "suspended_permit_that_ended_the_day_before_fails": (permit("suspended", "2025-06-02"), "fail"),
    "expired_permit_fails": (permit("expired", "2026-06-03"), "fail"),
    "revoked_permit_fails": (permit("revoked", "2026-06-03"), "fail"),
    "no_permit_fails": (None, "fail"),
}


@pytest.mark.parametrize(("held", "expected"), list(TRANSFERABLE.values()), ids=list(TRANSFERABLE))
def test_a_change_of_employer_takes_a_valid_or_suspended_unexpired_permit(
    held: dict[str, str] | None, expected: str
) -> None:
    result = assess(base_request("employer_change", {"applicant.permit": held}, as_of=AS_OF))
    check = check_for(result, "P-TRANSFERABLE")
    assert check.outcome == expected
    assert check.clause.startswith("G4")
    if expected == "fail":
        assert result.decision == "ineligible"


def test_employer_change_does_not_ask_for_a_valid_permit_only() -> None:
    result = assess(base_request("employer_change", {"applicant.permit": permit("suspended", "2026-06-03")}))
    assert "P-VALID" not in rules_in(result)
    assert result.decision == "eligible"


# --- P-RENEWAL-WINDOW (renewal; permit valid until 2025-08-31, window opens 2025-07-02) --------------------------------

WINDOW = {
    "sixty_one_days_before_the_end_fails": ("2025-07-01", "fail"),
    "sixty_days_before_the_end_passes": ("2025-07-02", "pass"),
    "inside_the_window_passes": ("2025-08-01", "pass"),
    "on_the_last_day_of_validity_passes": ("2025-08-31", "pass"),
    "the_day_after_the_end_fails": ("2025-09-01", "fail"),
    "a_year_before_the_end_fails": ("2024-08-31", "fail"),
}


@pytest.mark.parametrize(("as_of", "expected"), list(WINDOW.values()), ids=list(WINDOW))
def test_renewal_is_open_in_the_sixty_days_up_to_the_end_of_validity(as_of: str, expected: str) -> None:
    result = assess(base_request("renewal", {"applicant.permit": permit("valid", "2025-08-31")}, as_of=as_of))
    check = check_for(result, "P-RENEWAL-WINDOW")
    assert check.outcome == expected
    assert check.clause.startswith("G7.注意事项")
    if expected == "fail":
        assert result.decision == "ineligible"


def test_a_renewal_too_early_names_the_day_the_window_opens() -> None:
    result = assess(base_request("renewal", {"applicant.permit": permit("valid", "2025-08-31")}, as_of="2025-07-01"))
    assert "2025-07-02" in check_for(result, "P-RENEWAL-WINDOW").message


@pytest.mark.parametrize("service", ["employer_change", "children_change", "info_change", "initial"])
def test_the_renewal_window_is_only_for_renewal(service: str) -> None:
    assert "P-RENEWAL-WINDOW" not in rules_in(assess(base_request(service)))


# --- P-RESERVE (employer_change, renewal) ----------------------------------------------------------------------------

RESERVE = {
    "valid_until_the_day_review_ends_passes": ("2025-07-01", "pass"),
    "valid_until_the_day_before_review_ends_warns": ("2025-06-30", "warn"),
    "valid_until_the_declaration_day_warns": ("2025-06-03", "warn"),
    "valid_well_after_review_passes": ("2025-07-31", "pass"),
}


@pytest.mark.parametrize("service", ["employer_change", "renewal"])
@pytest.mark.parametrize(("valid_until", "expected"), list(RESERVE.values()), ids=list(RESERVE))
def test_twenty_working_days_of_review_should_fit_before_the_permit_ends(
    service: str, valid_until: str, expected: str
) -> None:
    result = assess(base_request(service, {"applicant.permit": permit("valid", valid_until)}, as_of=AS_OF))
    check = check_for(result, "P-RESERVE")
    assert check.outcome == expected
    # a warning changes nothing: every other rule passes, so the case stays eligible
    assert result.decision == "eligible"
    if expected == "warn":
        assert valid_until in check.message
        assert "2025-07-01" in check.message


@pytest.mark.parametrize(
    ("service", "clause"), [("employer_change", "G4.注意事项.5"), ("renewal", "G7.注意事项.4")],
    ids=["employer_change_cites_g4_note_5", "renewal_cites_g7_note_4"],
)  # fmt: skip
def test_the_reserve_cites_the_items_own_note(service: str, clause: str) -> None:
    assert check_for(assess(base_request(service)), "P-RESERVE").clause == clause


def test_a_suspended_permit_near_its_end_warns_for_a_change_of_employer() -> None:
    result = assess(base_request("employer_change", {"applicant.permit": permit("suspended", "2025-06-30")}))
    assert outcome_of(result, "P-RESERVE") == "warn"
    assert result.decision == "eligible"


@pytest.mark.parametrize("service", ["employer_change", "renewal"])
def test_the_reserve_is_absent_without_a_permit(service: str) -> None:
    result = assess(base_request(service, {"applicant.permit": None}))
    assert "P-RESERVE" not in rules_in(result)
    assert result.decision == "ineligible"  # P-TRANSFERABLE or P-VALID fails instead


@pytest.mark.parametrize("service", ["children_change", "info_change", "initial"])
def test_the_reserve_is_only_for_employer_change_and_renewal(service: str) -> None:
    request = base_request(service, {"applicant.permit": permit("valid", "2025-06-04")})
    assert "P-RESERVE" not in rules_in(assess(request))
