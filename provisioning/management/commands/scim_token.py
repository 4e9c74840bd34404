"""`manage.py scim_token create NAME` (prints the token once), `revoke NAME`, `list`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from provisioning.models import ScimToken
from provisioning.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, revoke or list the bearer tokens of SCIM provisioning clients."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token; it is printed once, never again.")
        create.add_argument("name")
        revoke = sub.add_parser("revoke", help="Revoke a token by name.")
        revoke.add_argument("name")
        sub.add_parser("list", help="List tokens (names and dates, never the secrets).")

    def handle(self, *args, action, **options):
        if action == "create":
            try:
                token, secret = token_create(name=options["name"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stderr.write(
                f"Token “{token.name}” created. Copy it now: it is not stored and will not be "
                "shown again."
            )
            self.stdout.write(secret)
        elif action == "revoke":
            token = ScimToken.objects.filter(name__iexact=options["name"]).first()
            if token is None:
                raise CommandError(f"No token named {options['name']!r}.")
            token_revoke(token=token)
            self.stdout.write(f"Token “{token.name}” revoked.")
        else:
            for token in ScimToken.objects.all():
                state = (
                    f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
                )
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.name}\t{token.prefix}…\t{state}\tcreated "
                    f"{token.created_at:%Y-%m-%d %H:%M}\tlast used {used}"
                )
