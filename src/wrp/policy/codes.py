"""The codes of POLICY.md: service items, outcomes, decisions and every enumerated fact.

They are `StrEnum`s so that a code compares equal to its string (`Service.INITIAL == "initial"`) and serialises as
itself; the request models accept exactly these values, and anything else is an invalid request.
"""

from __future__ import annotations

from enum import StrEnum


class Service(StrEnum):
    UNIT_OPENING = "unit_opening"
    UNIT_TRANSFER = "unit_transfer"
    INITIAL = "initial"
    EMPLOYER_CHANGE = "employer_change"
    CHILDREN_CHANGE = "children_change"
    INFO_CHANGE = "info_change"
    RENEWAL = "renewal"


UNIT_SERVICES = frozenset({Service.UNIT_OPENING, Service.UNIT_TRANSFER})
PERSONAL_SERVICES = frozenset(set(Service) - UNIT_SERVICES)


class ChangeSubtype(StrEnum):
    ADDRESS = "address"
    NAME_OR_HUKOU = "name_or_hukou"
    EDUCATION = "education"


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"
    WARN = "warn"


class Decision(StrEnum):
    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    INELIGIBLE = "ineligible"


class Reviewer(StrEnum):
    WINDOW = "window"
    DISTRICT_BUREAU = "district_bureau"


class UnitKind(StrEnum):
    ENTERPRISE = "enterprise"
    PUBLIC_INSTITUTION = "public_institution"
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise"
    SOCIAL_ORGANIZATION = "social_organization"
    FOREIGN_BRANCH = "foreign_branch"
    DOMESTIC_BRANCH = "domestic_branch"
    FOREIGN_REP_OFFICE = "foreign_rep_office"
    OTHER = "other"


class District(StrEnum):
    """Beijing's sixteen districts, the Economic-Technological Development Area, and anywhere outside Beijing."""

    DONGCHENG = "dongcheng"
    XICHENG = "xicheng"
    CHAOYANG = "chaoyang"
    FENGTAI = "fengtai"
    SHIJINGSHAN = "shijingshan"
    HAIDIAN = "haidian"
    MENTOUGOU = "mentougou"
    FANGSHAN = "fangshan"
    TONGZHOU = "tongzhou"
    SHUNYI = "shunyi"
    CHANGPING = "changping"
    DAXING = "daxing"
    HUAIROU = "huairou"
    PINGGU = "pinggu"
    MIYUN = "miyun"
    YANQING = "yanqing"
    JINGKAI = "jingkai"
    OUTSIDE_BEIJING = "outside_beijing"


HOME_DISTRICT = District.CHAOYANG


class AccountStatus(StrEnum):
    NONE = "none"
    OPEN = "open"
    CLOSED = "closed"


class Penalty(StrEnum):
    BLACKLISTED = "blacklisted"
    SERVICE_TERMINATED = "service_terminated"


class Qualification(StrEnum):
    # 科技创新主体 (condition 4)
    NEW_RND_INSTITUTION = "new_rnd_institution"
    INNOVATIVE_HQ = "innovative_hq"
    HIGH_TECH_ENTERPRISE = "high_tech_enterprise"
    # 科技创新服务主体 (condition 5)
    LAW_FIRM = "law_firm"
    ACCOUNTING_FIRM = "accounting_firm"
    AUDIT_FIRM = "audit_firm"
    TAX_FIRM = "tax_firm"
    HR_SERVICE_AGENCY = "hr_service_agency"
    FINANCIAL_INSTITUTION = "financial_institution"


INNOVATION_ENTITIES = frozenset(
    {Qualification.NEW_RND_INSTITUTION, Qualification.INNOVATIVE_HQ, Qualification.HIGH_TECH_ENTERPRISE}
)
INNOVATION_SERVICE_ENTITIES = frozenset(set(Qualification) - INNOVATION_ENTITIES)


class Hukou(StrEnum):
    NON_BEIJING = "non_beijing"
    BEIJING_FAMILY = "beijing_family"
    BEIJING_COLLECTIVE = "beijing_collective"
    SCHOOL_TEMPORARY = "school_temporary"


class HousingKind(StrEnum):
    OWNED = "owned"
    RENTED_RESIDENTIAL = "rented_residential"
    RENTED_RURAL = "rented_rural"
    UNIT_HOUSING = "unit_housing"
    RELATIVE = "relative"
    RESIDENCE_PERMIT = "residence_permit"


RENTED_HOUSING = frozenset({HousingKind.RENTED_RESIDENTIAL, HousingKind.RENTED_RURAL})


class Degree(StrEnum):
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTOR = "doctor"


class ProfessionalTitle(StrEnum):
    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    ASSOCIATE_SENIOR = "associate_senior"
    SENIOR = "senior"


class AwardLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL_MINISTERIAL = "provincial_ministerial"
    OTHER = "other"


class ChildCase(StrEnum):
    IN_POLICY = "in_policy"
    OUT_OF_POLICY = "out_of_policy"
    OUT_OF_WEDLOCK = "out_of_wedlock"
    DIVORCED_CUSTODY = "divorced_custody"


class PermitStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"
