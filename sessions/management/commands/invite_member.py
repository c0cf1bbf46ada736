from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from sessions.invitations import (
    InvitationError,
    check_invitable,
    create_invited_member,
    make_invitation_link,
    send_invitation,
)
from sessions.models import Member


class Command(BaseCommand):
    help = (
        "Invite a member by display name: print a one-time link where they choose a "
        "password, and email it when they have an address. A member who does not "
        "exist yet is created with --email (or --create)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The member's display name, e.g. 김민지.")
        parser.add_argument(
            "--email", default="", help="Their email address (set when they have none)."
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the member when nobody has that display name (implied by --email).",
        )
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="Where the site is served, for the link (default: %(default)s).",
        )
        parser.add_argument(
            "--no-email", action="store_true", help="Print the link only; send no email."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would happen; change and send nothing."
        )

    def handle(self, *args, **options):
        result = invite_member(
            options["name"].strip(),
            email=options["email"].strip(),
            create=options["create"],
            base_url=options["base_url"],
            send_email=not options["no_email"],
            dry_run=options["dry_run"],
        )
        for line in result.messages:
            if options["verbosity"] >= 1:
                self.stdout.write(line)
        if result.link:
            # The link is the command's output: print it even with -v 0.
            self.stdout.write(result.link)


class InviteResult:
    def __init__(self):
        self.member = None
        self.created = False
        self.emailed = False
        self.link = ""
        self.messages = []


def invite_member(name, *, email="", create=False, base_url, send_email=True, dry_run=False):
    """Invite the member called `name`; see the command's help. Raises CommandError."""
    if not name:
        raise CommandError("The display name is empty.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
    result = InviteResult()
    with transaction.atomic():
        member = Member.objects.filter(display_name=name).first()
        if member is None:
            if not (email or create):
                raise CommandError(
                    f"No member is called {name!r}. Pass --email (or --create) to create them."
                )
            if dry_run:
                result.messages.append(
                    f"Would create {name}"
                    + (f" <{email}>" if email else "")
                    + " and invite them (dry run: nothing changed)."
                )
                return result
            member = create_invited_member(name, email)
            result.created = True
            result.messages.append(f"Created {name} (username {member.username}).")
        else:
            try:
                check_invitable(member)
            except InvitationError as error:
                raise CommandError(str(error)) from None
            if email and member.email and member.email.lower() != email.lower():
                raise CommandError(
                    f"{name} already has the address {member.email}; change it in the admin first."
                )
            if email and not member.email:
                if dry_run:
                    result.messages.append(f"Would set {name}'s address to {email}.")
                else:
                    member.email = email
                    member.save(update_fields=["email"])
                    result.messages.append(f"Set {name}'s address to {email}.")
    result.member = member
    try:
        result.link = make_invitation_link(member, base_url)
    except InvitationError as error:
        raise CommandError(str(error)) from None
    address = member.email or (email if dry_run else "")
    if dry_run:
        result.messages.append(
            f"Would email the invitation to {address}."
            if address and send_email
            else "Would print the link only (dry run: nothing sent)."
        )
        return result
    if send_email and send_invitation(member, result.link):
        result.emailed = True
        result.messages.append(f"Emailed the invitation to {member.email}.")
    else:
        result.messages.append(f"Not emailed; pass this one-time link to {name}:")
    return result
