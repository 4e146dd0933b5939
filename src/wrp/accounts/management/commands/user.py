"""wrp user add | token | rekey — create users, issue bearer tokens, re-encrypt ID numbers after a key rotation.

`wrp user add USERNAME --role ROLE [--password P] [--name 姓名] [--id-number N]` and `wrp user token USERNAME`
(contracts/cases-api.md §Identity). Refused input exits 2 with the reason on standard error and nothing on standard
output; the token is printed alone on one line, and is never shown again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role, User
from wrp.accounts.services import token_create, user_create, user_id_numbers_rekey
from wrp.core.errors import Invalid

REFUSED = 2


class Command(BaseCommand):
    help = "Users: `add` creates one, `token` prints a new bearer token, `rekey` re-encrypts ID numbers."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,token,rekey}")
        add = actions.add_parser("add", help="create a user with one role")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--password", default=None, help="without it the password is unusable (token sign-in only)")
        add.add_argument("--name", default="", dest="real_name", help="real name (姓名)")
        add.add_argument("--id-number", default=None, dest="id_number", help="resident ID number (公民身份号码)")
        token = actions.add_parser("token", help="print a new bearer token for the user (shown once)")
        token.add_argument("username")
        actions.add_parser("rekey", help="re-encrypt ID numbers stored under a retired key (after a rotation)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "add":
                self._add(options)
            elif action == "token":
                self._token(options["username"])
            else:
                count = user_id_numbers_rekey()
                self.stdout.write(f"{count} ID numbers re-encrypted under the current key")
        except Invalid as invalid:
            with translation.override("zh-hans"):  # refusals are printed in Chinese
                message = "; ".join(f"{field}: {reason}" for field, reason in invalid.messages().items())
            raise CommandError(message, returncode=REFUSED) from None

    def _add(self, options: dict[str, Any]) -> None:
        user = user_create(
            username=options["username"],
            role=options["role"],
            password=options["password"],
            real_name=options["real_name"],
            id_number=options["id_number"],
        )
        self.stdout.write(f"user {user.username} created ({user.role})")

    def _token(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            with translation.override("zh-hans"):
                message = str(format_lazy(_("用户“{username}”不存在"), username=username))
            raise CommandError(f"username: {message}", returncode=REFUSED)
        self.stdout.write(token_create(user=user))
