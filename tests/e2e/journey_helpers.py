"""What the browser journeys (tests/e2e/test_journeys.py) do over and over, written once: a persona signed in through
/login/ in a browser context of its own, screenshots numbered per journey, PDFs made for each material, and the
recurring steps of the portals (upload what is missing, book a slot and submit, review every material, decide).

Every step clicks and types in Chromium; nothing here writes to the database. The people and the starting state of a
journey are made with tests/factories.py (`cast`).
"""

from __future__ import annotations

import io
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, expect
from tests.clock import NOW, TODAY  # noqa: F401  (read from here by the journeys)
from tests.factories import Personas, make_personas

from wrp.accounts.models import User

PASSWORD = "Demo-2026-wrp"
WIDE = {"width": 1280, "height": 800}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "journeys"
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}  # the three years before 2026, above the thresholds
NAMES = {
    "applicant": "张伟",
    "other_applicant": "李娜",
    "handler": "王经办",
    "other_handler": "赵经办",
    "clerk": "陈窗口",
    "approver": "刘审批",
    "admin": "孙管理",
}
# Materials an applicant uploads on their own case (the rest are the unit's: contract, income, insurance, …).
PERSONAL_MATERIALS = ("personal_integrity_declaration", "hukou_book", "housing_", "child_", "degree_")
MATERIAL_STATES = "missing|rejected"

expect.set_options(timeout=20_000)


# --- people ---------------------------------------------------------------------------------------------------------


def cast() -> Personas:
    """The personas of tests/factories.py with real names and the journeys' password; the units' tax of the last
    three years (as of 2026) above the thresholds."""
    people = make_personas()
    for role, name in NAMES.items():
        user: User = getattr(people, role)
        user.real_name = name
        user.set_password(PASSWORD)
        user.save(update_fields=["real_name", "password"])
    for unit in (people.unit, people.other_unit):
        unit.annual_tax = dict(TAXES)
        unit.save(update_fields=["annual_tax"])
    for role in ("clerk", "approver", "admin"):  # staff come with an authenticator bound (tests/e2e/conftest.py)
        TOTPDevice.objects.create(user=getattr(people, role), name="authenticator", confirmed=True)
    return people


def current_code(username: str) -> str:
    """The code the staff member's authenticator app shows now (django-otp's TOTP with the device's key). A person
    signing in again within the same 30 seconds waits for the next code; a journey does not wait, so it forgets which
    code was used last instead."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    step = int((time.time() - device.t0) // device.step)
    if device.last_t >= step:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=step - 1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


# --- PDFs -------------------------------------------------------------------------------------------------------------


def material_pdf(code: str, note: str = "") -> bytes:
    """A one-page coloured scan look-alike naming the material (not blank, not grey, different every time, so no
    scan warning and no duplicate warning)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from wrp.policy.materials import MATERIALS

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    material = MATERIALS.get(code)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setFillColorRGB(0.75, 0.1, 0.1)
    page.circle(width - 120, height - 170, 55, fill=1)  # a red seal, as on a stamped original
    page.setFillColorRGB(0.1, 0.3, 0.6)
    page.rect(60, height - 110, width - 120, 40, fill=1)
    page.setFillColorRGB(1, 1, 1)
    page.setFont("STSong-Light", 18)
    page.drawString(75, height - 97, material.title_zh if material else code)
    page.setFillColorRGB(0, 0, 0)
    page.setFont("STSong-Light", 12)
    lines = [f"材料代码：{code}", note or "浏览器端到端测试生成的示例材料", f"编号 {secrets.token_hex(6)}"]
    lines += [f"第{n}行：示例内容，仅用于测试平台的办理流程，不是真实证明材料。" for n in range(1, 25)]
    for index, line in enumerate(lines):
        page.drawString(75, height - 250 - index * 18, line)
    page.save()
    return buffer.getvalue()


# --- the journey and its people in the browser ----------------------------------------------------------------------


@dataclass
class Journey:
    """One journey: its letter, its screenshot folder and the running number of its screenshots."""

    letter: str
    base_url: str
    browser: Browser
    folder: Path = field(init=False)
    count: int = 0
    sessions: list[Session] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder = OUTPUT / self.letter
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{self.letter}-*.png"):
            old.unlink()

    def sign_in(self, username: str, *, javascript: bool = True) -> Session:
        context = self.browser.new_context(viewport=WIDE, locale="zh-CN", java_script_enabled=javascript)
        # Counts htmx settles, so a step can wait for a live update to finish.
        context.add_init_script(
            "window.settled = 0; document.addEventListener('htmx:afterSettle', () => { window.settled += 1; });"
        )
        session = Session(self, context, context.new_page(), username)
        session.sign_in()
        self.sessions.append(session)
        return session

    def shot(self, page: Page, slug: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.letter}-{self.count:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for session in self.sessions:
            session.context.close()
        self.sessions.clear()


@dataclass
class Session:
    journey: Journey
    context: BrowserContext
    page: Page
    username: str

    @property
    def url(self) -> str:
        return self.journey.base_url

    def sign_in(self) -> None:
        page = self.page
        page.goto(f"{self.url}/login/")
        page.fill("#id_username", self.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("main form.narrow button[type=submit]").click()
        if "/login/code/" in page.url:  # staff: the second step, 动态验证码 (STAFF_OTP_REQUIRED)
            self.enter_code(current_code(self.username))
        expect(page.locator("header .who")).to_be_visible()  # signed in: the header names the user

    def enter_code(self, code: str) -> None:
        """On the code step: type an authenticator code (or a recovery code) and go on."""
        self.page.fill("#id_code", code)
        with self.page.expect_navigation():
            self.page.locator("main form.narrow button[type=submit]").click()

    def go(self, path: str) -> Response | None:
        return self.page.goto(f"{self.url}{path}")

    def shot(self, slug: str) -> Path:
        return self.journey.shot(self.page, slug)

    def main(self) -> Locator:
        return self.page.locator("main")

    def submit(self, button: Locator) -> None:
        """Press a button that posts a form and wait for the page that answers."""
        with self.page.expect_navigation():
            button.click()

    def press(self, name: str, *, within: Locator | None = None) -> None:
        scope = within if within is not None else self.main()
        self.submit(scope.get_by_role("button", name=name, exact=True))

    def expect_message(self, text: str) -> None:
        expect(self.page.locator("ul.messages")).to_contain_text(text)

    def heading_id(self) -> str:
        """The case id shown in the case page's heading."""
        return self.page.locator("h1 .mono").inner_text().strip()

    # --- the csrf-protected posts a page would make, for the refusal checks -------------------------------------------

    def post(self, path: str, data: dict[str, str] | None = None) -> Any:
        token = next((c["value"] for c in self.context.cookies() if c["name"] == "csrftoken"), "")
        return self.context.request.post(
            f"{self.url}{path}",
            form=data or {},
            headers={"X-CSRFToken": token, "Referer": f"{self.url}/"},
            max_redirects=0,
        )


# --- materials --------------------------------------------------------------------------------------------------------


def upload_items(page: Page) -> list[str]:
    """The codes of the materials offered for upload on this case page, in page order."""
    return page.locator("li[id^='upload-']").evaluate_all("items => items.map(item => item.id.slice(7))")


def waiting_uploads(page: Page) -> list[str]:
    """The codes of the offered materials not uploaded yet or to be uploaded again."""
    return page.locator("li[id^='upload-']").evaluate_all(
        "items => items.filter(item => item.querySelector('.badge.material-missing, .badge.material-rejected'))"
        ".map(item => item.id.slice(7))"
    )


def is_personal(code: str) -> bool:
    return code.startswith(PERSONAL_MATERIALS)


def upload(session: Session, code: str, note: str = "") -> None:
    """Choose the PDF for one material and press its upload button; the case page comes back saying so."""
    page = session.page
    item = page.locator(f"li#upload-{code}")
    item.locator("input[type=file]").set_input_files(
        {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": material_pdf(code, note)}
    )
    session.submit(item.locator("form[enctype='multipart/form-data'] button[type=submit]"))
    session.expect_message("已上传")


def upload_waiting(session: Session, *, only: Any = None, note: str = "") -> list[str]:
    """Upload every material still missing (or to be uploaded again) on the case page; `only` picks some."""
    done = []
    for code in waiting_uploads(session.page):
        if only is not None and not only(code):
            continue
        upload(session, code, note)
        done.append(code)
    return done


# --- the unit ----------------------------------------------------------------------------------------------------------


def unit_code_on_home(session: Session, unit_name: str) -> str:
    """The association code the unit's card on /unit/ shows."""
    session.go("/unit/")
    card = session.page.locator("section.unit-card", has_text=unit_name)
    return card.locator(".unit-code").inner_text().strip()


def employee_row(session: Session, name: str) -> Locator:
    return session.page.locator("section[aria-labelledby='active-heading'] tr", has_text=name)


def start_case(session: Session, employee: str, item: str, answers: dict[str, str] | None = None) -> str:
    """From /unit/employees/: 办理业务 for the employee, the item, what the case answers, 开立案件. Returns the case id."""
    page = session.page
    session.go("/unit/employees/")
    with page.expect_navigation():
        employee_row(session, employee).get_by_role("link", name="办理业务").click()
    page.locator(f"input[name=item][value='{item}']").check()
    session.press("下一步")
    for name, value in (answers or {}).items():
        control = page.locator(f"[name='{name}']")
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    session.press("开立案件")
    session.expect_message("已开立案件")
    return session.heading_id()


def submit_with_slot(session: Session) -> str:
    """On the case page: the submit area (loaded by htmx) — the first free slot, then 确认提交. Returns the slot."""
    page = session.page
    area = page.locator("#unit-submit")
    free = area.locator("details[open] input[name=slot]:not([disabled])").first
    expect(free).to_be_visible()
    slot = free.get_attribute("value") or ""
    free.check()
    session.press("确认提交", within=area)
    session.expect_message("已提交")
    return slot


def open_unit_case(session: Session, public_id: str) -> None:
    session.go("/unit/cases/")
    with session.page.expect_navigation():
        session.page.locator("tr", has_text=public_id).get_by_role("link").first.click()
    expect(session.page.locator("h1")).to_contain_text(public_id)


# --- the window clerk ---------------------------------------------------------------------------------------------------


def clerk_open(session: Session, public_id: str) -> None:
    """From the queue /clerk/, open the case in the workbench."""
    session.go("/clerk/")
    with session.page.expect_navigation():
        session.page.get_by_role("link", name=public_id, exact=True).click()
    expect(session.page.locator("h1")).to_contain_text(public_id)


def clerk_start(session: Session) -> None:
    session.press("开始审核", within=session.page.locator("section.clerk-next"))
    session.expect_message("已开始审核")


def clerk_verdicts(session: Session, rejected: dict[str, str] | None = None) -> list[str]:
    """A verdict on every material waiting for one: 通过, or 需重新上传 with the reason for the codes in `rejected`."""
    rejected = rejected or {}
    page = session.page
    judged = []
    while True:
        waiting = page.locator("li.clerk-material").evaluate_all(
            "items => items.filter(item => item.querySelector('form.clerk-verdict')"
            " && item.querySelector('.badge.material-uploaded')).map(item => item.id.replace('clerk-material-', ''))"
        )
        if not waiting:
            return judged
        code = waiting[0]
        item = page.locator(f"li#clerk-material-{code}")
        if code in rejected:
            item.locator("input[name=verdict][value=rejected]").check()
            item.locator("textarea[name=reason]").fill(rejected[code])
        else:
            item.locator("input[name=verdict][value=accepted]").check()
        session.press("保存审核意见", within=item)
        session.expect_message("已记录")
        judged.append(code)


def clerk_decide(session: Session, *, reason: str = "已核对原件，情况属实，予以接受。") -> list[str]:
    """Give a reason for every `review` outcome, tick the confirmation, approve (or forward). Returns the rules."""
    page = session.page
    decide = page.locator("#clerk-decide")
    boxes = decide.locator("textarea[name^='review_']")
    rules = [name.removeprefix("review_") for name in boxes.evaluate_all("items => items.map(item => item.name)")]
    for index in range(boxes.count()):
        boxes.nth(index).fill(reason)
    decide.locator("#clerk-confirm_decide").check()
    session.submit(decide.locator("button[type=submit]"))
    return rules


def clerk_return(session: Session, other: str = "") -> None:
    page = session.page
    section = page.locator("#clerk-return")
    if other:
        section.locator("#clerk-other").fill(other)
    section.locator("#clerk-confirm_return").check()
    session.press("发出补正告知并退回", within=section)
    session.expect_message("补正告知已发出")


# --- the bureau ---------------------------------------------------------------------------------------------------------


def bureau_approve(session: Session, public_id: str) -> None:
    session.go("/bureau/")
    with session.page.expect_navigation():
        session.page.get_by_role("link", name=public_id, exact=True).click()
    section = session.page.locator("section.bureau-actions")
    section.locator("#bureau-approve-confirm").check()
    session.press("批准", within=section)
    session.expect_message("已批准")


# --- the applicant -----------------------------------------------------------------------------------------------------


def live(page: Page, action: Any) -> None:
    """Do something that makes the profile form update itself (htmx) and wait until the new form has settled."""
    before = page.evaluate("window.settled")
    with page.expect_response(lambda response: response.request.method == "POST" and "/me/profile/" in response.url):
        action()
    page.wait_for_function(f"() => window.settled > {before}")


def answer(page: Page, name: str, value: str) -> None:
    """Answer one question of the profile the way a person does: pick, tick, or type and leave the box."""
    radio = page.locator(f"input[type=radio][name='{name}'][value='{value}']")
    if radio.count():
        live(page, lambda: radio.check())
        return
    control = page.locator(f"#id_{name}")
    tag = control.evaluate("element => element.tagName + ':' + (element.type || '')")
    if tag.startswith("SELECT"):
        live(page, lambda: control.select_option(value))
    elif tag.endswith(":date"):
        live(page, lambda: control.fill(value))  # a date box reports the change itself
    else:

        def type_and_leave() -> None:
            control.fill(value)
            # leaving the box, as a person does: the browser's own change event, once (a change dispatched by hand
            # came on top of the browser's own when the next box took the focus: two live updates for one answer)
            control.press("Tab")

        live(page, type_and_leave)


def permit_status(session: Session) -> str:
    session.go("/me/permit/")
    return session.page.locator(".applicant-permit-status").inner_text()


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def text_of(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
