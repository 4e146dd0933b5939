"""The public guide pages (办事指南, issue 5 §7): one page per service item, in the order of the guide's own sections.

Everything the policy package holds is read from it, never typed again: the item's title, section, time limit and
review chain (`ITEMS`); the conditions, which are the rules that apply, each with its clause and the guide's words
(`RULES[id].doc`); the ten talent conditions (`CONDITIONS`, `CONDITION_TITLES`); the materials, which are the
checklist the policy computes (`checklist`) for the item and for each variant a case can have — every housing kind,
every child's case, every talent condition, every change subtype, a unit taxed here but registered elsewhere — and
the handling institution (`OFFICE`). Only what the policy does not hold is written here, next to the guide section it
comes from: the legal basis (设定依据), the process steps (办理流程) and the notes that are not rules (注意事项).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wrp.core.language import page_language
from wrp.policy.codes import (
    HOME_DISTRICT,
    AccountStatus,
    ChangeSubtype,
    ChildCase,
    District,
    HousingKind,
    PermitStatus,
    Service,
)
from wrp.policy.items import ITEMS, Item
from wrp.policy.labels import label
from wrp.policy.materials import MATERIALS, TAXED_HERE_REGISTERED_ELSEWHERE, checklist
from wrp.policy.models import Account, Applicant, Child, Housing, Permit, Unit
from wrp.policy.rules import RULES, Context
from wrp.policy.rules.conditions import (
    CHINESE_NUMERALS,
    CONDITION_MANUAL_CHECKS,
    CONDITION_TITLES,
    CONDITIONS,
)
from wrp.policy.wages import builtin_table
from wrp.policy.workdays import default_calendar
from wrp.public.context import OFFICE
from wrp.public.wording import SERVICE_SUMMARIES, pick

Text = tuple[str, str]  # (Chinese, English)

# --- what the policy package does not hold ---------------------------------------------------------------------------

# G1–G7 【设定依据】
DECREE_2003: Text = (
    "《北京市政府办公厅转发市人事局关于实施北京市工作居住证制度若干意见的通知》（京政办发〔2003〕29号）",
    "Notice of the General Office of the Beijing Municipal Government forwarding the Municipal Personnel Bureau's "
    "opinions on implementing the Beijing Work Residence Permit system (京政办发〔2003〕29号)",
)
RULES_2019: Text = (
    "《朝阳区办理北京市工作居住证实施细则（试行）》（朝人社发〔2019〕12号）",
    "Chaoyang District implementing rules for the Beijing Work Residence Permit, trial (朝人社发〔2019〕12号)",
)
RENEWAL_2006: Text = (
    "关于做好《北京市工作居住证》续签工作的通知（京人发〔2006〕56号）",
    "Notice on renewing the Beijing Work Residence Permit (京人发〔2006〕56号)",
)
LEGAL_BASIS: dict[Service, tuple[Text, ...]] = {
    **{service: (DECREE_2003, RULES_2019) for service in Service if service != Service.RENEWAL},
    Service.RENEWAL: (RENEWAL_2006, RULES_2019),  # G7.设定依据 names these two
}

# G1–G7 【办理流程】, as the steps are taken on this platform: (step, what happens).
Step = tuple[Text, Text]
QUOTA_DECLARE: Step = (("指标申报", "Quota declaration"), (
    "单位经办人在本平台注册单位账户，申报本年度需要的工作居住证新办指标。",
    "The unit's handler registers the unit on this platform and declares how many new permits it needs this year."))
QUOTA_CHECK: Step = (("指标查询", "Quota check"), (
    "单位经办人在本平台查询区人力社保局下发的指标。",
    "The handler checks on this platform the quota the district bureau has granted."))
UNIT_FILING: Step = (("系统申报", "Online filing"), (
    "单位经办人在本平台提交申请，上传单位材料。",
    "The handler files the application and uploads the unit's materials on this platform."))
PERSONAL_FILING: Step = (("系统申报", "Online filing"), (
    "（1）申请人在本平台完善个人信息、填报并上传材料，向申请单位提交关联申请；（2）单位经办人与员工关联，上传单位"
    "材料，对员工的全部信息及材料核查无误后线上提交；（3）单位经办人预约办理。",
    "(1) The applicant completes their details, answers the questions, uploads their materials and asks the unit to "
    "associate them; (2) the handler accepts the association, uploads the unit's materials, checks everything and "
    "submits online; (3) the handler books the handling appointment."))
WINDOW_REVIEW: Step = (("线上审核", "Online review"), (
    "服务大厅窗口工作人员线上审核信息和材料；材料需补正的，一次性告知。",
    "A service hall clerk reviews the details and materials online; anything to correct is listed in one notice."))
TO_BUREAU: Step = (("上报审批", "Bureau approval"), (
    "窗口审核无误后，上报区人力社保局审批。",
    "Once the window's review is complete, the case goes to the district bureau for approval."))


def _done(zh: str, en: str) -> Step:
    return ((zh, en), (f"窗口工作人员审核无误后，{zh}。", f"Once the review is complete, the window: {en.lower()}."))


PROCESS: dict[Service, tuple[Step, ...]] = {
    Service.UNIT_OPENING: (QUOTA_DECLARE, QUOTA_CHECK, UNIT_FILING, WINDOW_REVIEW,
                           _done("办理开户", "Opens the account")),
    Service.UNIT_TRANSFER: (QUOTA_DECLARE, QUOTA_CHECK, UNIT_FILING, WINDOW_REVIEW,
                            _done("办理单位跨区信息变更", "Moves the account to Chaoyang")),
    Service.INITIAL: (QUOTA_CHECK, PERSONAL_FILING, WINDOW_REVIEW, TO_BUREAU),
    Service.EMPLOYER_CHANGE: (QUOTA_CHECK, PERSONAL_FILING, WINDOW_REVIEW,
                              _done("办理个人聘用单位变更", "Records the change of employer")),
    Service.CHILDREN_CHANGE: (PERSONAL_FILING, WINDOW_REVIEW,
                              _done("办理个人随往人员变更", "Records the accompanying children")),
    Service.INFO_CHANGE: (PERSONAL_FILING, WINDOW_REVIEW,
                          _done("办理证件基础信息变更", "Records the new details")),
    Service.RENEWAL: (PERSONAL_FILING, WINDOW_REVIEW, TO_BUREAU),
}  # fmt: skip

# G1–G7 【注意事项】 that are not rules (the rules citing a 注意事项 of the item are added from the policy).
ONLINE: Text = ("本事项实施全程线上办理。", "This item is handled fully online.")
SCANS: Text = (
    "上传的电子材料印章清晰、内容完整（含封面、编号页）、不得有遮挡；内容连续、方向正确；格式为 PDF 扫描件。",
    "Uploads are PDF scans: stamps legible, complete (cover and numbered pages included), nothing covered, pages in "
    "order and upright.",
)
SEALS: Text = (
    "所有上传的打印件（原件彩色扫描件材料除外）均须加盖申报单位公章或单位人事部门专用章。",
    "Every printed page uploaded (other than colour scans of originals) carries the unit's official or HR seal.",
)
NOTES: dict[Service, tuple[Text, ...]] = {
    Service.UNIT_TRANSFER: ((
        "办理单位跨区信息变更时，单位经办人需同时维护或更新单位材料。",
        "While transferring, the handler also brings the unit's documents up to date."),),  # G2.注意事项.4
    Service.EMPLOYER_CHANGE: (
        ("申请人在证件有效期内与原单位终止、解除劳动（聘用）关系的，原单位应在其离职之日起60日内解除员工关联；"
         "证件随即挂起，挂起期间暂为失效状态。",
         "When a holder leaves, the former unit releases the association within 60 days of the leaving date; the "
         "permit is then suspended and not valid until the change of employer."),  # G4.注意事项.4
        ("新聘用单位应在证件有效期内及时办理，逾期未办理的，证件将会失效。",
         "The new unit must apply while the permit is valid; otherwise the permit lapses."),  # G4.注意事项.5
        ("区人力社保局将随机调查申请人和聘用单位是否存在真实聘用关系；原单位未在上述时限内解除关联或恶意拖延的，"
         "视情节严重程度予以处罚。",
         "The district bureau audits at random whether employment is real; a unit that releases late or delays on "
         "purpose is penalised according to the gravity of the case."),  # G4.注意事项.6
    ),
    Service.RENEWAL: ((
        "超过证件有效期未办理续签的，证件自动失效，需重新办理工作居住证；需补充材料的，也应在续签时限内提交。",
        "A permit not renewed by its end date lapses and a new application is needed; any supplements must also "
        "arrive within the renewal window."),),  # G7.注意事项.4
}  # fmt: skip
RESERVE_NOTE: Text = ("需预留 {days} 个工作日用于审批。", "Leave {days} working days for the review.")  # G5.6, G6.5
RESERVE_NOTED = frozenset({Service.CHILDREN_CHANGE, Service.INFO_CHANGE})

# Page words (headings and the variants' introductions).
WORDS: dict[str, Text] = {
    "guides": ("办事指南", "Service guides"),
    "guides_lede": ("北京市工作居住证各事项的办事指南：申请条件、办理材料、办理流程和时限。内容与自助检查、案件审核所用的规则一致。",
                    "The guide to each Beijing Work Residence Permit item: conditions, materials, process and time "
                    "limit — the same rules the self-check and the case review apply."),
    "start_check": ("开始自助检查", "Start the self-check"),
    "read_guide": ("查看办事指南", "Read the guide"),
    "contents": ("本页内容", "On this page"),
    "item_name": ("事项名称", "Service item"),
    "legal_basis": ("设定依据", "Legal basis"),
    "conditions": ("申请条件", "Conditions"),
    "conditions_lede": ("以下每一条都是自助检查和窗口审核逐条核对的规则，引用办事指南原文。",
                        "Each line is a rule the self-check and the window check one by one; the quotation is the "
                        "guide's Chinese text."),
    "sometimes": ("（视申请情形适用）", "(applies in some cases)"),
    "talent": ("具备下列条件之一", "One of the following conditions"),
    "manual": ("由工作人员人工核查", "Checked by staff"),
    "materials": ("办理材料", "Materials"),
    "materials_lede": ("所有材料均上传 PDF 扫描件。每个案件都需要：", "Every material is uploaded as a PDF scan. Every case needs:"),
    "housing": ("合法稳定住所材料（按住房情况，以下其中一项即可）",
                "Proof of a legal, stable home (one of the following, by housing)"),
    "housing_address": ("变更居住地址的：合法稳定住所材料（按住房情况，以下其中一项即可）",
                        "Change of address: proof of a legal, stable home (one of the following, by housing)"),
    "talent_materials": ("按申请条件类别上传", "By the condition claimed"),
    "children": ("有随往子女的：每名子女按其情形上传（以下其中一项即可）",
                 "With accompanying children: for each child, by the child's case (one of the following)"),
    "subtypes": ("按变更类型另需", "By the kind of change, also"),
    "see_housing": ("合法稳定住所材料，见下", "Proof of home, see below"),
    "tax_elsewhere": ("企业纳税地为本区但工商注册地非本区的，还需上传", "A unit taxed in Chaoyang but registered elsewhere also uploads"),
    "condition_n": ("条件{n}", "Condition {n}"),
    "institution": ("办理机构", "Handling institution"),
    "address": ("办理地点", "Address"),
    "hours": ("办理时间", "Office hours"),
    "phone": ("联系电话", "Phone"),
    "complaints": ("投诉监督电话", "Complaints line"),
    "fee": ("收费标准", "Fee"),
    "fee_none": ("无", "None"),
    "process": ("办理流程", "Process"),
    "time_limit": ("审批时限", "Time limit"),
    "working_days": ("{n} 个工作日", "{n} working days"),
    "time_limit_note": ("自提交受理之日起计算；退回补正期间暂停计时，补正后按剩余工作日继续计算。",
                        "Counted from acceptance; the clock stops while a case is returned for correction and "
                        "resumes with the working days left."),
    "review_chain": ("审核流程", "Reviewed by"),
    "quota": ("指标", "Quota"),
    "quota_needed": ("占用单位 1 个当年新办指标", "Uses 1 unit of the unit's quota for the year"),
    "quota_none": ("不占用指标", "No quota needed"),
    "office": ("办理机构与联系方式", "Where, when and whom to ask"),
    "notes": ("注意事项", "Notes"),
    "all_guides": ("全部办事指南", "All service guides"),
    "home": ("首页", "Home"),
    "colon": ("：", ": "),
    "list_sep": ("、", ", "),
}  # fmt: skip

# --- the data assembly -----------------------------------------------------------------------------------------------

NO_UNIT = Unit()
NO_APPLICANT = Applicant()
TAXED_HERE_REGISTERED_ELSEWHERE_UNIT = Unit(tax_district=HOME_DISTRICT, registered_district=District.OUTSIDE_BEIJING)
PROBE_DAY = date(2025, 6, 2)  # any day of a loaded calendar year: only the clause a rule cites is read from the probe


@cache
def _probe_context(service: Service) -> Context:
    """The facts the rules that cite the item's own section read (an open account here, quota, a valid permit)."""
    item = ITEMS[service]
    unit = Unit(account=Account(status=AccountStatus.OPEN, district=HOME_DISTRICT), quota_remaining=1,
                quota_frozen=False)
    applicant = Applicant(permit=Permit(status=PermitStatus.VALID, valid_until=PROBE_DAY + timedelta(days=30)))
    return Context(service, PROBE_DAY, unit, applicant, None, default_calendar(), builtin_table(), item.time_limit)


@cache
def rule_clause(rule_id: str, service: Service) -> str:
    """The clause a rule cites for this item, as the self-check shows it: a requirement that stands in every item's own
    section (开户 in 申请条件.1, a valid permit in 申请条件.2) cites that section. The rule tells which when run; a rule
    that needs facts the probe lacks cites its registered clause, which never varies with the item."""
    registered = RULES[rule_id]
    try:
        verdict = registered.check(_probe_context(service))
    except Exception:  # any fact the probe does not carry: the registered clause stands
        return registered.clause
    return verdict.clause or registered.clause


def _material(code: str, lang: str) -> dict[str, str]:
    material = MATERIALS[code]
    return {"code": code, "title": pick((material.title_zh, material.title_en), lang),
            "contains": pick((material.contains_zh, material.contains_en), lang)}


def _added(service: Service, base: list[str], subtype: ChangeSubtype | None = None, *, unit: Unit = NO_UNIT,
           applicant: Applicant = NO_APPLICANT) -> list[str]:
    """The materials a variant adds to the item's base checklist."""
    return [code for code in checklist(service, subtype, unit, applicant) if code not in base]


def _group(heading: str, options: list[tuple[str, list[str], str]], lang: str) -> dict[str, Any] | None:
    """One variant group: each option (a housing kind, a child's case, …) with the materials it adds."""
    shown = [{"label": option, "materials": [_material(code, lang) for code in codes], "note": note}
             for option, codes, note in options]
    return {"heading": heading, "options": shown} if any(option["materials"] for option in shown) else None


def materials(service: Service, lang: str) -> dict[str, Any]:
    """The base checklist and every variant group (change subtype, housing, talent condition, children, tax note)."""
    words = _words(lang)
    base = checklist(service, None, NO_UNIT, NO_APPLICANT)
    groups: list[dict[str, Any] | None] = []
    housing_subtype = None
    if service == Service.INFO_CHANGE:
        housing_subtype = ChangeSubtype.ADDRESS
        groups.append(_group(words["subtypes"], [
            (label(subtype, lang), _added(service, base, subtype),
             words["see_housing"] if subtype == ChangeSubtype.ADDRESS else "")
            for subtype in ChangeSubtype
        ], lang))
    groups.append(_group(words["housing_address" if housing_subtype else "housing"], [
        (label(kind, lang), _added(service, base, housing_subtype, applicant=Applicant(housing=Housing(kind=kind))), "")
        for kind in HousingKind
    ], lang))
    groups.append(_group(words["talent_materials"], [
        (words["condition_n"].format(n=n) + words["colon"] + pick(CONDITION_TITLES[n], lang),
         _added(service, base, applicant=Applicant(talent_condition=n)), "")
        for n in sorted(CONDITIONS)
    ], lang))
    groups.append(_group(words["children"], [
        (label(case, lang), _added(service, base, applicant=Applicant(children=[Child(case=case)])), "")
        for case in ChildCase
    ], lang))
    groups.append(_group(words["tax_elsewhere"], [
        ("", _added(service, base, unit=TAXED_HERE_REGISTERED_ELSEWHERE_UNIT), "")
    ], lang))
    return {"base": [_material(code, lang) for code in base], "groups": [group for group in groups if group]}


def conditions(service: Service, lang: str) -> dict[str, Any]:
    """The rules the item applies (the guide's words and clause), its talent conditions and what staff check."""
    item = ITEMS[service]
    rules = [{"id": rule_id, "doc": RULES[rule_id].doc, "clause": rule_clause(rule_id, service),
              "sometimes": applies is not None} for rule_id, applies in item.rules]
    talent = []
    if any(rule_id == "A-CONDITION" for rule_id, _applies in item.rules):
        clause = RULES["A-CONDITION"].clause
        talent = [
            {"n": n, "text": (CONDITIONS[n].__doc__ or "").strip() if lang == "zh" else f"({n}) {CONDITION_TITLES[n][1]}",
             "clause": f"{clause}({CHINESE_NUMERALS[n]})",
             "manual": [pick(check, lang) for check in CONDITION_MANUAL_CHECKS.get(n, ())]}
            for n in sorted(CONDITIONS)
        ]
    return {"rules": rules, "talent": talent, "manual": [pick(check, lang) for check in item.manual_checks]}


def notes(service: Service, lang: str) -> list[dict[str, str]]:
    """注意事项: the general three, the item's own, the tax note, and the rules that cite the item's 注意事项."""
    item = ITEMS[service]
    texts = [ONLINE, SCANS, SEALS, *NOTES.get(service, ())]
    if service in RESERVE_NOTED:
        zh, en = RESERVE_NOTE
        texts.append((zh.format(days=item.time_limit), en.format(days=item.time_limit)))
    shown = [{"text": pick(text, lang)} for text in texts]
    if service in TAXED_HERE_REGISTERED_ELSEWHERE:
        words = _words(lang)
        added = _added(service, checklist(service, None, NO_UNIT, NO_APPLICANT), unit=TAXED_HERE_REGISTERED_ELSEWHERE_UNIT)
        titles = words["list_sep"].join(_material(code, lang)["title"] for code in added)
        shown.append({"text": words["tax_elsewhere"] + words["colon"] + titles})
    own = f"{item.section}.注意事项"
    for rule_id, _applies in item.rules:
        clause = rule_clause(rule_id, service)
        if clause.startswith(own):
            shown.append({"text": RULES[rule_id].doc, "rule": rule_id, "clause": clause})
    return shown


def _summary(service: Service, item: Item, lang: str) -> dict[str, Any]:
    return {
        "code": str(service),
        "title": pick((item.title_zh, item.title_en), lang),
        "short_title": label(service, lang),
        "section": item.section,
        "time_limit": item.time_limit,
        "time_limit_text": pick(WORDS["working_days"], lang).format(n=item.time_limit),
        "review_chain": [label(reviewer, lang) for reviewer in item.review_chain],
        "needs_quota": item.needs_quota,
        "summary": pick(SERVICE_SUMMARIES[service], lang),
    }


def guide(service: Service, lang: str) -> dict[str, Any]:
    """Everything one guide page shows, in the page's language."""
    item = ITEMS[service]
    return {
        **_summary(service, item, lang),
        "legal_basis": [pick(text, lang) for text in LEGAL_BASIS[service]],
        "conditions": conditions(service, lang),
        "materials": materials(service, lang),
        "process": [{"step": pick(step, lang), "detail": pick(detail, lang)} for step, detail in PROCESS[service]],
        "notes": notes(service, lang),
        "office": {key: OFFICE[f"{key}_en"] if lang == "en" and f"{key}_en" in OFFICE else value
                   for key, value in OFFICE.items() if not key.endswith("_en")},
    }


def _words(lang: str) -> dict[str, str]:
    return {key: pick(text, lang) for key, text in WORDS.items()}


# --- views -----------------------------------------------------------------------------------------------------------


def guide_index(request: HttpRequest) -> HttpResponse:
    lang = page_language()
    items = [_summary(service, item, lang) for service, item in ITEMS.items()]
    return render(request, "public/guide_index.html", {"items": items, "t": _words(lang)})


def guide_page(request: HttpRequest, service: str) -> HttpResponse:
    if service not in Service._value2member_map_:
        raise Http404("service")
    lang = page_language()
    return render(request, "public/guide.html", {"guide": guide(Service(service), lang), "t": _words(lang)})
