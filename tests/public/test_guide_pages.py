"""The public guide pages (办事指南): one per service item, generated from wrp.policy — each lists its time limit, its
rules with their clauses, every material of every checklist variant, the office, the fee, and links to the self-check.

The expected materials are computed here from `checklist` itself, variant by variant, not from the page's code."""

from __future__ import annotations

import html as htmllib

import pytest
from django.test import Client

from wrp.policy.codes import HOME_DISTRICT, ChangeSubtype, ChildCase, District, HousingKind, Service
from wrp.policy.items import ITEMS
from wrp.policy.materials import MATERIALS, checklist
from wrp.policy.models import Applicant, Child, Housing, Unit
from wrp.policy.rules import RULES
from wrp.policy.rules.conditions import CONDITION_TITLES, CONDITIONS
from wrp.public.context import OFFICE
from wrp.public.guide import rule_clause

pytestmark = pytest.mark.django_db
SERVICES = list(Service)


def page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return htmllib.unescape(response.content.decode())


def every_variant_material(service: Service) -> set[str]:
    """The union of the checklists of every variant a case of the item can have."""
    subtypes: list[ChangeSubtype | None] = [None, *ChangeSubtype] if service == Service.INFO_CHANGE else [None]
    applicants = [
        Applicant(),
        *(Applicant(housing=Housing(kind=kind)) for kind in HousingKind),
        *(Applicant(talent_condition=n) for n in range(1, 11)),
        *(Applicant(children=[Child(case=case)]) for case in ChildCase),
    ]
    units = [Unit(), Unit(tax_district=HOME_DISTRICT, registered_district=District.HAIDIAN)]
    return {
        code
        for subtype in subtypes
        for applicant in applicants
        for unit in units
        for code in checklist(service, subtype, unit, applicant)
    }


@pytest.mark.parametrize("service", SERVICES, ids=str)
def test_every_service_has_a_guide_page_with_its_title_time_limit_and_fee(client, service):
    item = ITEMS[service]
    html = page(client, f"/guide/{service}/")
    assert f"<h1>{item.title_zh}</h1>" in html
    assert f"{item.time_limit} 个工作日" in html
    assert "收费标准" in html
    assert "<dd>无</dd>" in html


@pytest.mark.parametrize("service", SERVICES, ids=str)
def test_each_guide_lists_its_rules_with_their_clauses(client, service):
    html = page(client, f"/guide/{service}/")
    for rule_id, _applies in ITEMS[service].rules:
        assert RULES[rule_id].doc in html
        assert f"{rule_id} · {rule_clause(rule_id, service)}" in html


@pytest.mark.parametrize("service", SERVICES, ids=str)
def test_each_guide_lists_every_material_of_its_checklist_variants(client, service):
    html = page(client, f"/guide/{service}/")
    expected = every_variant_material(service)
    assert expected  # every item needs materials
    for code in expected:
        assert MATERIALS[code].title_zh in html, code
        assert MATERIALS[code].contains_zh in html, code


@pytest.mark.parametrize("service", SERVICES, ids=str)
def test_each_guide_gives_the_office_and_links_to_the_self_check(client, service):
    html = page(client, f"/guide/{service}/")
    for key in ("institution", "address", "hours", "phone", "complaints"):
        assert OFFICE[key] in html
    assert f'href="/check/?service={service}"' in html
    assert "开始自助检查" in html


def test_the_first_application_guide_lists_the_ten_talent_conditions_and_its_legal_basis(client):
    html = page(client, "/guide/initial/")
    for n, check in CONDITIONS.items():
        assert (check.__doc__ or "").strip() in html
        assert CONDITION_TITLES[n][0] in html  # the materials of the condition, under its title
    assert "G3.申请条件.2(十)" in html
    assert "京政办发〔2003〕29号" in html
    assert "朝人社发〔2019〕12号" in html
    assert "上报审批" in html  # the bureau's step
    assert "占用单位 1 个当年新办指标" in html


def test_a_requirement_stated_in_every_section_cites_the_items_own_section(client):
    """As the self-check does: on the renewal page an open account cites G7.申请条件.1, not G3."""
    html = page(client, "/guide/renewal/")
    assert "U-OPEN-HERE · G7.申请条件.1" in html
    assert "P-VALID · G7.申请条件.2" in html
    assert "P-RESERVE · G7.注意事项.4" in html
    assert "京人发〔2006〕56号" in html
    assert "朝人社发〔2019〕12号" in html


def test_the_information_change_guide_shows_each_subtype_and_the_tax_note(client):
    html = page(client, "/guide/info_change/")
    for subtype in ("变更居住地址", "变更姓名或户籍地", "变更学历或学位"):
        assert subtype in html
    assert "企业纳税地为本区但工商注册地非本区的" in html
    for kind in ("自有住房", "租住农村宅基地房屋", "持有《北京市居住证》"):
        assert kind in html


def test_the_index_lists_every_item_with_its_guide_and_self_check(client):
    html = page(client, "/guide/")
    for service, item in ITEMS.items():
        assert item.title_zh in html
        assert f'href="/guide/{service}/"' in html
        assert f'href="/check/?service={service}"' in html


def test_an_unknown_service_has_no_guide(client):
    assert client.get("/guide/permit_for_pets/").status_code == 404


def test_the_guide_in_english(client):
    html = page(client, "/guide/initial/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in html
    assert f"<h1>{ITEMS[Service.INITIAL].title_en}</h1>" in html
    assert "20 working days" in html
    assert "Start the self-check" in html
    assert OFFICE["address_en"] in html
    assert OFFICE["institution_en"] in html
    assert "<dd>None</dd>" in html
    for code in every_variant_material(Service.INITIAL):
        assert MATERIALS[code].title_en in html, code
    assert CONDITION_TITLES[4][1] in html
    index = page(client, "/guide/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Service guides" in index
    assert "Renewal" in index
