"""好差评 pages: the rating form on a decided case's page for its parties, and the bureau's page of ratings and
差评 follow-ups with the call-back that closes one — each refused to the personas who must be refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PROFILE
from tests.factories import case_in_state, make_association, make_ledger
from wrp.accounts.models import ApplicantProfile
from wrp.cases.models import CaseRating, RatingFollowUp
from wrp.cases.ratings import case_rate

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def people(people, today):
    people.applicant.real_name = "张三丰"
    people.applicant.save(update_fields=["real_name"])
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, today.year, granted=3)
    return people


@pytest.fixture
def approved(people):
    return case_in_state(people, "approved")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_page(client: Client, case) -> str:
    response = client.get(reverse("portal:case", args=[case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def rate(client: Client, case, **data):
    return client.post(reverse("portal:case_rate", args=[case.public_id]), data)


# --- the rating form on the case page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["applicant", "handler"])
def test_the_parties_see_the_form_on_a_decided_case(people, approved, persona):
    body = case_page(signed_in(getattr(people, persona)), approved)
    assert "好差评" in body
    for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert level in body
    assert reverse("portal:case_rate", args=[approved.public_id]) in body


def test_no_form_before_the_decision(people):
    case = case_in_state(people, "in_review")
    body = case_page(signed_in(people.applicant), case)
    assert reverse("portal:case_rate", args=[case.public_id]) not in body


def test_a_rating_is_given_once_and_then_shown(people, approved):
    client = signed_in(people.applicant)
    response = rate(client, approved, level="satisfied", comment="办理及时")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[approved.public_id])
    body = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in body
    assert "申请人：满意" in body
    assert "办理及时" in body
    assert reverse("portal:case_rate", args=[approved.public_id]) not in body
    again = client.get(response["Location"])  # the message is gone; the rating stays
    assert "申请人：满意" in again.content.decode()
    rate(client, approved, level="very_dissatisfied")
    assert CaseRating.objects.get(case=approved).level == "satisfied"


def test_the_unit_does_not_see_the_applicants_rating(people, approved):
    case_rate(case=approved, actor=people.applicant, level="satisfied", comment="办理及时")
    body = case_page(signed_in(people.handler), approved)
    assert "办理及时" not in body
    assert reverse("portal:case_rate", args=[approved.public_id]) in body  # the unit's own rating is still open


def test_a_rating_without_a_level_comes_back_with_the_error(people, approved):
    response = rate(signed_in(people.applicant), approved, level="", comment="保留这段话")
    assert response.status_code == 422
    body = response.content.decode()
    assert "请选择一项评价" in body
    assert "保留这段话" in body
    assert not CaseRating.objects.exists()


def test_another_applicant_gets_not_found(people, approved):
    assert rate(signed_in(people.other_applicant), approved, level="very_dissatisfied").status_code == 404
    assert not CaseRating.objects.exists()


def test_staff_are_told_only_the_parties_rate(people, approved):
    client = signed_in(people.clerk)
    response = rate(client, approved, level="very_dissatisfied")
    assert response.status_code == 302
    assert "只有本案的申请人或单位经办人可以评价" in client.get(response["Location"]).content.decode()
    assert not CaseRating.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(people, approved):
    response = rate(Client(), approved, level="satisfied")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_bad_rating_says_the_bureau_will_call_back(people, approved):
    client = signed_in(people.applicant)
    rate(client, approved, level="very_dissatisfied", comment="等太久")
    assert RatingFollowUp.objects.filter(rating__case=approved).exists()
    assert "差评已转区人社局回访" in case_page(client, approved)


# --- the bureau's page ------------------------------------------------------------------------------------------------


def test_the_approver_sees_the_summary_and_the_follow_ups(people, approved):
    case_rate(case=approved, actor=people.applicant, level="very_dissatisfied", comment="等太久")
    case_rate(case=approved, actor=people.handler, level="very_satisfied")
    client = signed_in(people.approver)
    response = client.get(reverse("portal:bureau_rating_follow_ups"))
    assert response.status_code == 200
    body = response.content.decode()
    assert approved.public_id in body
    assert "等太久" in body
    assert "张*" in body
    assert "张三丰" not in body
    assert "满意率 50.0%" in body
    assert reverse("portal:bureau_rating_follow_ups") in body  # the navigation names the page
    assert "记录回访" in body


def test_the_open_follow_ups_shown_are_the_longest_waiting_and_the_page_says_more_wait(people, approved,
                                                                                      monkeypatch):
    from wrp.portal.bureau import followups

    case_rate(case=approved, actor=people.applicant, level="very_dissatisfied", comment="等太久")
    case_rate(case=approved, actor=people.handler, level="dissatisfied", comment="材料退回两次")
    monkeypatch.setattr(followups, "OPEN_SHOWN", 1)
    body = signed_in(people.approver).get(reverse("portal:bureau_rating_follow_ups")).content.decode()
    assert "等太久" in body  # the first 差评 waits longest
    assert "材料退回两次" not in body
    assert "这里列出等待最久的 1 条，回访后列出其余的。" in body
    monkeypatch.setattr(followups, "OPEN_SHOWN", 2)
    body = signed_in(people.approver).get(reverse("portal:bureau_rating_follow_ups")).content.decode()
    assert "材料退回两次" in body
    assert "这里列出等待最久的" not in body


def test_the_summary_period_is_chosen_in_the_form(people, approved, today):
    case_rate(case=approved, actor=people.applicant, level="satisfied")
    client = signed_in(people.approver)
    body = client.get(reverse("portal:bureau_rating_follow_ups"), {"start": "2026-01-01", "end": "2026-01-31"})
    assert "该期间没有评价" in body.content.decode()
    bad = client.get(reverse("portal:bureau_rating_follow_ups"), {"start": "2026-02-01", "end": "2026-01-01"})
    assert "截止日期不能早于起始日期" in bad.content.decode()


def test_the_summary_table_labels_every_cell_for_the_phone_layout(people, approved):
    import re

    case_rate(case=approved, actor=people.applicant, level="very_dissatisfied", comment="等太久")
    body = signed_in(people.approver).get(reverse("portal:bureau_rating_follow_ups")).content.decode()
    table = re.search(r'<table class="[^"]*rating-summary[^"]*">(.*?)</table>', body, re.S)
    assert table is not None
    cells = re.findall(r"<t[dh](?![a-z])([^>]*)>", table.group(1).split("</thead>", 1)[1])
    assert cells
    assert all("data-label=" in attributes for attributes in cells), cells
    assert 'data-label="已等待" class="num"' in body


def test_the_case_column_reads_case_in_english(people, approved):
    case_rate(case=approved, actor=people.applicant, level="very_dissatisfied", comment="等太久")
    client = signed_in(people.approver)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("portal:bureau_rating_follow_ups")).content.decode()
    assert '<th scope="col">Case</th>' in body
    assert 'data-label="Case"' in body
    assert '<th scope="col">Cases</th>' not in body


@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "admin"])
def test_every_other_role_is_refused_the_bureau_page(people, persona):
    client = signed_in(getattr(people, persona))
    assert client.get(reverse("portal:bureau_rating_follow_ups")).status_code == 403


def test_the_call_back_closes_the_follow_up(people, approved, today):
    follow_up = case_rate(case=approved, actor=people.applicant, level="dissatisfied").follow_up
    client = signed_in(people.approver)
    url = reverse("portal:bureau_rating_follow_up_close", args=[follow_up.pk])
    assert client.get(url).status_code == 200
    missing = client.post(url, {"called_on": today.isoformat(), "spoke_with": "", "summary": ""})
    assert missing.status_code == 422
    assert "请填写回访对象" in missing.content.decode()
    assert "请记录回访情况" in missing.content.decode()
    done = client.post(url, {"called_on": today.isoformat(), "spoke_with": "申请人本人", "summary": "已解释时限"})
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert not follow_up.is_open
    assert follow_up.closed_by == people.approver
    body = client.get(done["Location"]).content.decode()
    assert "没有待回访的差评" in body
    assert "已解释时限" in body


def test_a_future_call_back_day_is_refused_next_to_its_field(people, approved, today):
    follow_up = case_rate(case=approved, actor=people.applicant, level="dissatisfied").follow_up
    url = reverse("portal:bureau_rating_follow_up_close", args=[follow_up.pk])
    response = signed_in(people.approver).post(url, {"called_on": "2027-01-01", "spoke_with": "本人", "summary": "x"})
    assert response.status_code == 422
    assert "回访日期不能晚于今天" in response.content.decode()


def test_the_call_back_page_is_for_approvers_only(people, approved):
    follow_up = case_rate(case=approved, actor=people.applicant, level="dissatisfied").follow_up
    url = reverse("portal:bureau_rating_follow_up_close", args=[follow_up.pk])
    assert signed_in(people.clerk).get(url).status_code == 403
    assert signed_in(people.approver).get(reverse("portal:bureau_rating_follow_up_close", args=[999999])).status_code \
        == 404


def test_the_approver_sees_both_ratings_on_the_case_page(people, approved):
    case_rate(case=approved, actor=people.applicant, level="very_dissatisfied", comment="等太久")
    case_rate(case=approved, actor=people.handler, level="satisfied")
    body = case_page(signed_in(people.approver), approved)
    assert "申请人：非常不满意" in body
    assert "单位：满意" in body
    assert reverse("portal:case_rate", args=[approved.public_id]) not in body
