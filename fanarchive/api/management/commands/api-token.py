from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.api.models import ApiToken


class Command(BaseCommand):
    help = "Issue, list and revoke the API's tokens (Authorization: Bearer TOKEN)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="issue a token for USERNAME and print it once")
        create.add_argument("username", metavar="USERNAME")
        create.add_argument("--name", default="", help="what the token is for")
        actions.add_parser("list", help="every token: id, user, name, created, last used, state")
        revoke = actions.add_parser("revoke", help="revoke the token with this id")
        revoke.add_argument("token_id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(options)

    def handle_create(self, options: dict[str, Any]) -> None:
        users = get_user_model()
        try:
            user = users.objects.get(**{users.USERNAME_FIELD: options["username"]})
        except users.DoesNotExist:
            raise CommandError(f"no such user: {options['username']}", returncode=2) from None
        token, raw = ApiToken.issue(user, options["name"])
        if not token.may_write:
            self.stderr.write(
                f"note: {user} is not staff and lacks api.write_works: this token reads only"
            )
        self.stderr.write(f"token {token.pk} for {user}; it is shown only now:")
        self.stdout.write(raw)

    def handle_list(self, options: dict[str, Any]) -> None:
        for token in ApiToken.objects.select_related("user"):
            used = f"{token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never"
            state = f"revoked {token.revoked:%Y-%m-%d %H:%M}" if token.revoked else "active"
            self.stdout.write(
                f"{token.pk}\t{token.user}\t{token.name or '-'}\t"
                f"created {token.created:%Y-%m-%d %H:%M}\tused {used}\t{state}"
            )

    def handle_revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.filter(pk=options["token_id"]).first()
        if token is None:
            raise CommandError(f"no such token: {options['token_id']}", returncode=2)
        token.revoke()
        self.stderr.write(f"token {token.pk} of {token.user} revoked")
