"""The plain values each printed document is made from: frozen dataclasses of strings and dates, gathered by the
document's owner (`wrp.cases.printouts`, `wrp.permits.printouts`) and laid out by `wrp.documents.printing`.

An empty string or None stands for what is not recorded: the layout leaves a blank line to be written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from wrp.policy.office import OFFICE

# The organs as the documents name them, in full (POLICY §11 L-RECORD): the bureau decides and issues certificates;
# the service centre (the window) issues the receipts and notices.
BUREAU_NAME = "北京市朝阳区人力资源和社会保障局"
CENTRE_NAME = OFFICE.institution[0]


@dataclass(frozen=True)
class UnitDeclaration:
    """附件1 诚信声明（单位版）."""

    unit_name: str
    credit_code: str
    case_id: str = ""


@dataclass(frozen=True)
class PersonalDeclaration:
    """附件2 诚信声明（个人版）: the applicant's part and the unit's part."""

    applicant_name: str
    id_number: str  # whole: the applicant signs it
    unit_name: str
    credit_code: str
    item_title: str = ""
    case_id: str = ""


@dataclass(frozen=True)
class HousingLoanDeclaration:
    """附件3 房屋借住声明; "" or None for what is not recorded (left blank for the pen)."""

    borrower_name: str
    borrower_id_number: str  # whole: the borrower signs it
    since: date | None
    address: str
    owner_name: str
    owner_id_number: str
    relationship: str
    case_id: str = ""


@dataclass(frozen=True)
class Office:
    """The handling institution as the documents print it (in Chinese): `wrp.policy.office` by default."""

    institution: str = OFFICE.institution[0]
    address: str = OFFICE.address[0]
    hours: str = OFFICE.hours[0]
    phone: str = OFFICE.phone
    complaints: str = OFFICE.complaints


@dataclass(frozen=True)
class Problem:
    material_title: str  # "" for a problem not tied to one material
    text: str


@dataclass(frozen=True)
class CaseParties:
    """Who and what a notice or a decision is about; the resident ID only masked."""

    case_id: str
    item_title: str
    unit_name: str
    credit_code: str
    applicant_name: str = ""  # "" for the unit items
    applicant_id_masked: str = ""
    submitted_on: date | None = None


@dataclass(frozen=True)
class CorrectionNoticeData:
    parties: CaseParties
    issued_on: date
    problems: tuple[Problem, ...]
    paused: bool  # the clock stands still until the unit resubmits
    days_left_at_pause: int | None = None
    answered_on: date | None = None
    office: Office = field(default_factory=Office)
    number: str = ""  # 文号
    organ: str = CENTRE_NAME


@dataclass(frozen=True)
class Reason:
    """One reason of a refusal: what is wrong, and what it rests on (rule ID and clause, or the material)."""

    text: str
    basis: str = ""


@dataclass(frozen=True)
class Remedies:
    """L-REFUSE: where and how long the applicant may seek administrative reconsideration and bring a suit."""

    reconsideration_body: str = "北京市朝阳区人民政府"
    court: str = "有管辖权的人民法院"
    reconsideration_days: int = 60  # 行政复议法 第20条
    suit_months: int = 6  # 行政诉讼法 第46条


@dataclass(frozen=True)
class DecisionData:
    parties: CaseParties
    approved: bool
    decided_on: date
    decider_role: str  # 窗口工作人员 or 区人社局审批人
    decided_by_bureau: bool
    reasons: tuple[Reason, ...] = ()
    permit_number: str = ""
    permit_valid_until: date | None = None
    office: Office = field(default_factory=Office)
    number: str = ""  # 文号
    organ: str = BUREAU_NAME
    decision: str = ""  # what the approval decides (the kind's words)
    particulars: tuple[tuple[str, str], ...] = ()  # what exactly was approved: (label, value)
    remedies: Remedies = field(default_factory=Remedies)


@dataclass(frozen=True)
class CertificateData:
    holder_name: str
    permit_number: str
    unit_name: str
    issued_on: date
    valid_until: date
    verify_url: str
    holder_id_masked: str = ""
    children: tuple[str, ...] = ()  # each accompanying child as printed: name and case
    organ: str = BUREAU_NAME
    number: str = ""  # 文号
