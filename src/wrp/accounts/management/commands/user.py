"""wrp user add | token | rekey | otp-reset | otp-code — create users, issue bearer tokens, re-encrypt ID numbers after a
key rotation, reset a staff member's second factor, print a demo account's current code.

`wrp user add USERNAME --role ROLE [--password P] [--name 姓名] [--id-number N]` and `wrp user token USERNAME`
(contracts/cases-api.md §Identity). Refused input exits 2 with the reason on standard error and nothing on standard
output; the token is printed alone on one line, and is never shown again (its expiry goes to standard error).
`wrp user token USERNAME --rotate` issues a new token and ends every token the user held (`token.rotate`). A password
given to `add` must pass AUTH_PASSWORD_VALIDATORS.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.management.commands._second_factor import second_factor_command
from wrp.accounts.models import Role, User
from wrp.accounts.services import token_issue, token_rotate, user_create, user_id_numbers_rekey
from wrp.core.errors import Invalid

REFUSED = 2
OTP_ACTIONS = {
    "otp-reset": "delete the user's second-factor devices: they bind an authenticator again at next sign-in",
    "otp-code": "print the current code of a demo account's authenticator (devices made by `wrp demo` only)",
}


class Command(BaseCommand):
    help = "Users: `add` creates one, `token` prints a new bearer token, `rekey` re-encrypts ID numbers."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,token,rekey,otp-reset,otp-code}")
        add = actions.add_parser("add", help="create a user with one role")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--password", default=None, help="without it the password is unusable (token sign-in only)")
        add.add_argument("--name", default="", dest="real_name", help="real name (姓名)")
        add.add_argument("--id-number", default=None, dest="id_number", help="resident ID number (公民身份号码)")
        token = actions.add_parser("token", help="print a new bearer token for the user (shown once)")
        token.add_argument("username")
        token.add_argument("--rotate", action="store_true", help="end every token the user holds (token.rotate)")
        actions.add_parser("rekey", help="re-encrypt ID numbers stored under a retired key (after a rotation)")
        for name, text in OTP_ACTIONS.items():
            actions.add_parser(name, help=text).add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "add":
                self._add(options)
            elif action in OTP_ACTIONS:
                self.stdout.write(second_factor_command(action, options["username"]))
            elif action == "token":
                self._token(options["username"], rotate=options["rotate"])
            else:
                count = user_id_numbers_rekey()
                self.stdout.write(f"{count} ID numbers re-encrypted under the current key")
        except Invalid as invalid:
            with translation.override("zh-hans"):  # refusals are printed in Chinese
                message = "; ".join(f"{field}: {reason}" for field, reason in invalid.messages().items())
            raise CommandError(message, returncode=REFUSED) from None

    def _add(self, options: dict[str, Any]) -> None:
        if options["password"]:
            _check_password(options["password"], options["username"], options["real_name"])
        user = user_create(
            username=options["username"],
            role=options["role"],
            password=options["password"],
            real_name=options["real_name"],
            id_number=options["id_number"],
        )
        self.stdout.write(f"user {user.username} created ({user.role})")

    def _token(self, username: str, *, rotate: bool = False) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            with translation.override("zh-hans"):
                message = str(format_lazy(_("用户“{username}”不存在"), username=username))
            raise CommandError(f"username: {message}", returncode=REFUSED)
        raw, token = (token_rotate if rotate else token_issue)(user=user)
        self.stdout.write(raw)
        expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        ended = " (the user's other tokens ended)" if rotate else ""
        self.stderr.write(f"token {token.prefix}… expires {expires}{ended}")


def _check_password(password: str, username: str, real_name: str) -> None:
    """AUTH_PASSWORD_VALIDATORS, as the admin's form applies them; refused: exit 2 with every reason, in Chinese."""
    try:
        validate_password(password, User(username=username, real_name=real_name))
    except ValidationError as error:
        with translation.override("zh-hans"):
            reasons = " ".join(str(message) for message in error.messages)
            message = str(format_lazy(_("密码不符合要求：{reasons}"), reasons=reasons))
        raise CommandError(f"password: {message}", returncode=REFUSED) from None
