"""The demo data set (`wrp demo`): people for every role, units of several kinds, and cases of every kind in every
state they can reach — made through the same services the pages call, so the audit trail and every rule hold.

The two units opened their accounts seven weeks ago (`SETUP_BEFORE` working days); the initial applications of
`AGED` were filed and worked on over the weeks since, on the demo's clock (`wrp.demo.timeline`), so that the queues
show every face of the clock: near the limit, overdue, paused for correction, deemed accepted; the other cases are
made today. Each applicant's username says what their case shows (`initial_returned`, `clock_overdue`); every demo
account's password is `DEMO_PASSWORD`; README §Demo accounts lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from wrp.accounts.devices import demo_device_install
from wrp.accounts.models import Role, User
from wrp.cases.acceptance import case_extend, case_refuse_acceptance
from wrp.cases.kinds import BUREAU_KINDS, UNIT_KINDS
from wrp.cases.models import CaseState
from wrp.cases.services import case_open
from wrp.demo.aged import AGED, AGED_STATES, AgedCase, initial_particulars
from wrp.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from wrp.demo.steps import Demo, credit_code, demo_pdf, drive
from wrp.demo.timeline import one_hash_per_password, run_in_order
from wrp.employment.services import association_release
from wrp.permits.services import permit_issue
from wrp.policy.periods import add_years
from wrp.quotas.services import quota_grant, quota_request_create
from wrp.units.models import Unit

__all__ = ["Demo", "create_demo", "demo_aged", "demo_setup", "states_of"]

SETUP_BEFORE = 35  # working days ago: the staff, the two units and their accounts, the quota grants


PERSONAL_STATES = (
    CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.RETURNED,
    CaseState.APPROVED, CaseState.REJECTED, CaseState.WITHDRAWN,
)
UNIT_STATES = (
    CaseState.DRAFT, CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.RETURNED, CaseState.APPROVED,
    CaseState.REJECTED, CaseState.WITHDRAWN,
)


def states_of(kind: str) -> tuple[str, ...]:
    """The states the demo takes cases of a kind to: pending approval only where the bureau approves."""
    if kind in UNIT_KINDS:
        return UNIT_STATES
    if kind in BUREAU_KINDS:
        return (*PERSONAL_STATES, CaseState.PENDING_APPROVAL)
    return PERSONAL_STATES


def create_demo(*, today: date, log: Callable[[str], None] = print) -> dict[str, int]:
    """Create the demo data set; returns how many cases of each kind. Steps: on the setup day, the staff and the two
    units with their accounts and quotas; then the cases of `AGED` over the past weeks, step by step in the order of
    their days; then today's cases of every other kind and state."""
    with one_hash_per_password():
        demo = Demo(today=today, pdf=demo_pdf())
        star, hospital = demo_setup(demo)
        demo_aged(demo, star)
        _unit_cases(demo)
        _personal_cases(demo, star=star, hospital=hospital, hr=star.handlers.get(), hr2=hospital.handlers.get())
    counts = demo.counts
    applicants = User.objects.filter(role=Role.APPLICANT).count()
    log(f"demo: {sum(counts.values())} cases ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
        f"{applicants} applicants, password {DEMO_PASSWORD}")
    return counts


def demo_setup(demo: Demo) -> tuple[Unit, Unit]:
    """On the setup day: the staff (with their published second-factor secrets), 北京星辰科技有限公司 and 北京朝阳康复医院
    with their handlers `hr` and `hr2`, their accounts opened and their quotas granted (the setup day's year and, when
    today is in the next, that year's too)."""
    with demo.clock.on(demo.clock.workday(SETUP_BEFORE)):
        return _setup(demo)


def demo_aged(demo: Demo, unit: Unit) -> None:
    """The initial applications of `AGED` at `unit`, filed by its handler, step by step in the order of their days."""
    handler = unit.handlers.get()
    run_in_order(demo.clock, [AgedCase(demo, name, unit=unit, handler=handler).story(steps) for name, steps in AGED])
    demo.counts["initial"] = demo.counts.get("initial", 0) + len(AGED)


def _setup(demo: Demo) -> tuple[Unit, Unit]:
    demo.staff = {
        "clerk": demo.person("clerk", Role.WINDOW_CLERK, "窗口王芳"),
        "clerk2": demo.person("clerk2", Role.WINDOW_CLERK, "窗口刘洋"),
        "approver": demo.person("approver", Role.BUREAU_APPROVER, "审批陈静"),
        "admin": demo.person("admin", Role.ADMIN, "管理员"),
    }
    for username, user in demo.staff.items():  # pre-enrolled with the published secrets (README §Demo accounts)
        demo_device_install(user=user, secret=DEMO_TOTP_SECRETS[username])
    hr = demo.person("hr", Role.UNIT_HANDLER, "人事赵敏")
    hr2 = demo.person("hr2", Role.UNIT_HANDLER, "人事孙强")
    star = demo.unit(hr, "北京星辰科技有限公司", credit_code(1), qualifications=["high_tech_enterprise"])
    hospital = demo.unit(hr2, "北京朝阳康复医院", credit_code(2), kind="public_institution")
    for unit, handler in ((star, hr), (hospital, hr2)):
        opening = case_open(actor=handler, kind="unit_opening", unit=unit)
        drive(demo, opening, CaseState.APPROVED, handler=handler, applicant=None)
        for year in sorted({timezone.localdate().year, demo.today.year}):
            request = quota_request_create(unit=unit, actor=handler, year=year, requested=30,
                                           reason="业务扩张，引进研发骨干")
            quota_grant(request=request, actor=demo.staff["approver"], granted=25)
    return star, hospital


def _count(demo: Demo, kind: str) -> None:
    demo.counts[kind] = demo.counts.get(kind, 0) + 1


def _unit_cases(demo: Demo) -> None:
    """A unit of its own for each state of the two unit items, with its handler `hr_<item>_<state>`."""
    serial = 12
    for kind in ("unit_opening", "unit_transfer"):
        for state in states_of(kind):
            serial += 1
            handler = demo.person(f"hr_{kind}_{state}", Role.UNIT_HANDLER)
            facts = (
                {"registered_district": "haidian", "tax_district": "chaoyang", "account_elsewhere": "haidian"}
                if kind == "unit_transfer" else {}
            )
            unit = demo.unit(handler, f"北京示例{'迁入' if kind == 'unit_transfer' else '新设'}企业{serial}有限公司",
                             credit_code(serial), **facts)
            case = case_open(actor=handler, kind=kind, unit=unit)
            if kind == "unit_transfer" and state == CaseState.REJECTED:  # outside the district's remit: 不予受理
                case = drive(demo, case, CaseState.SUBMITTED, handler=handler, applicant=None)
                case_refuse_acceptance(case=case, actor=demo.staff["clerk"],
                                       reason="申请单位的注册地不在朝阳区，且在海淀区的账户尚未办理迁出，不属于本区受理范围")
            else:
                drive(demo, case, state, handler=handler, applicant=None)
            _count(demo, kind)


def _personal_cases(demo: Demo, *, star: Unit, hospital: Unit, hr: User, hr2: User) -> None:
    """Today's cases of the personal items, one applicant each, named `<item>[_<subtype>]_<state>` (the initial
    application's draft: `applicant`); holders of a permit for the items that need one."""
    today, approver = demo.today, demo.staff["approver"]

    def holder(username: str, unit: Unit, issued: date) -> User:
        user = demo.applicant(username, unit)
        permit_issue(holder=user, unit=unit, actor=approver, on=issued)
        return user

    for state in states_of("initial"):
        if state in AGED_STATES:
            continue
        username = "applicant" if state == CaseState.DRAFT else f"initial_{state}"
        facts, answers = initial_particulars(username)
        applicant = demo.applicant(username, star, **facts)
        case = case_open(actor=applicant, kind="initial", unit=star, answers=answers)
        case = drive(demo, case, state, handler=hr, applicant=applicant)
        if state == CaseState.PENDING_APPROVAL:  # the bureau needs more time (L-EXTEND): a 延期通知书
            case_extend(case=case, actor=approver, reason="需向原单位核实社会保险缴纳记录，无法在法定期限内作出决定")
        _count(demo, "initial")
    for state in states_of("employer_change"):
        applicant = holder(f"employer_change_{state}", hospital, today - timedelta(days=400))
        association = applicant.associations.get(unit=hospital, state="active")
        association_release(association=association, actor=hr2, left_on=today - timedelta(days=20), today=today)
        demo.associate(applicant, star)
        case = case_open(actor=applicant, kind="employer_change", unit=star)
        drive(demo, case, state, handler=hr, applicant=applicant)
        _count(demo, "employer_change")
    for kind, subtype, answers in (
        ("children_change", None, {"children": [{"name": "李小满", "case": "in_policy"}]}),
        ("info_change", "address", {"housing": {"kind": "owned", "lease_end": None}}),
        ("info_change", "name_or_hukou", {"real_name": "王新名", "hukou": "beijing_family"}),
        ("info_change", "education", {"degree": "doctor"}),
    ):
        for state in states_of(kind):
            applicant = holder("_".join(filter(None, (kind, subtype, state))), star, today - timedelta(days=300))
            case = case_open(actor=applicant, kind=kind, subtype=subtype, unit=star, answers=answers)
            drive(demo, case, state, handler=hr, applicant=applicant)
            _count(demo, kind)
    for state in states_of("renewal"):
        issued = add_years(today, -3) + timedelta(days=30)  # valid until 30 days from now: inside the window
        applicant = holder(f"renewal_{state}", star, issued)
        case = case_open(actor=applicant, kind="renewal", unit=star)
        drive(demo, case, state, handler=hr, applicant=applicant)
        _count(demo, "renewal")
