"""The admin page that imports uploaded legacy notes, like `import_legacy`.

A dry run keeps the uploaded files in a staging folder outside the media
root, named by a random key; the result page's "Import for real" button
carries that key and the chosen options in a signed, expiring value, so the
real run imports exactly the files the dry run reported on.
"""

import contextlib
import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sessions.management.commands.import_legacy import parse_aliases
from sessions.models import ImportedFile, Member

from .loader import EXTENSIONS, import_many

MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_FILES = 200
# How long a dry run's files wait for the real run.
STAGING_MAX_AGE = 60 * 60
STAGING_SALT = "sessions.legacy.import-staging"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class LegacyImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Session notes or journals: .md, .markdown or .txt, at most 2 MB each."),
    )
    author = forms.ModelChoiceField(
        queryset=Member.objects.order_by("display_name"),
        required=False,
        label=_("Author of journals"),
        help_text=_("The member who owns the journal files among them."),
    )
    season = forms.CharField(
        required=False,
        max_length=100,
        label=_("Season"),
        help_text=_(
            "The season the session notes go to, created when missing. Left empty: the "
            "season a file names, else the current season."
        ),
    )
    aliases = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Aliases"),
        help_text=_("One OLD=NEW per line: a name written in the notes, then the member's name."),
    )
    dry_run = forms.BooleanField(
        required=False, label=_("Dry run"), help_text=_("Report what would change, write nothing.")
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Upload at most %(count)d files at a time.") % {"count": MAX_FILES}
            )
        for upload in files:
            if not upload.name.lower().endswith(EXTENSIONS):
                raise forms.ValidationError(
                    _("%(name)s: only .md, .markdown and .txt files can be imported.")
                    % {"name": upload.name}
                )
            if upload.size > MAX_FILE_SIZE:
                raise forms.ValidationError(
                    _("%(name)s is larger than 2 MB.") % {"name": upload.name}
                )
        return files

    def clean_aliases(self):
        try:
            return parse_aliases(
                line for line in self.cleaned_data["aliases"].splitlines() if line.strip()
            )
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def staging_root() -> Path:
    """Where dry runs keep their files: never under MEDIA_ROOT, which members can read."""
    return Path(
        getattr(settings, "LEGACY_IMPORT_STAGING_DIR", "")
        or Path(tempfile.gettempdir()) / "studygroup-import"
    )


def stage(items, options: dict, user) -> str:
    """Keep a dry run's (name, bytes) files for the real run; returns the signed value
    that finds them again. Staged files older than STAGING_MAX_AGE are removed first."""
    root = staging_root()
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        with contextlib.suppress(FileNotFoundError):  # Another request removed it first.
            if old.stat().st_mtime < time.time() - STAGING_MAX_AGE:
                shutil.rmtree(old, ignore_errors=True)
    key = secrets.token_hex(16)
    folder = root / key
    folder.mkdir(mode=0o700)
    names = []
    for index, (name, data) in enumerate(items):
        (folder / str(index)).write_bytes(data)
        names.append(name)
    (folder / "staged.json").write_text(
        json.dumps({"names": names, "options": options}), encoding="utf-8"
    )
    return signing.dumps({"key": key, "user": user.pk}, salt=STAGING_SALT)


def unstage(value: str, user):
    """The files and options a signed value names: ((name, bytes) list, options), or
    None when it is forged, expired, another user's or already used."""
    try:
        payload = signing.loads(value, salt=STAGING_SALT, max_age=STAGING_MAX_AGE)
    except signing.BadSignature:
        return None
    folder = staging_root() / payload["key"]
    if payload["user"] != user.pk:
        return None
    try:
        staged = json.loads((folder / "staged.json").read_text(encoding="utf-8"))
        items = [
            (name, (folder / str(index)).read_bytes()) for index, name in enumerate(staged["names"])
        ]
    except OSError:  # Used already (by a double submit too) or removed as stale.
        return None
    shutil.rmtree(folder, ignore_errors=True)
    return items, staged["options"]


class StagedImportForm(forms.Form):
    """The "Import for real" button: the signed value naming a dry run's files."""

    staged = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_staged(self):
        staged = unstage(self.cleaned_data["staged"], self.user)
        if staged is None:
            raise forms.ValidationError(
                _(
                    "The files of that dry run are no longer kept (they wait an hour). Choose them again."
                )
            )
        return staged


def import_view(model_admin, request):
    """Upload one or more files and import them; shows the same summary as the command."""
    if not model_admin.has_view_permission(request) or not request.user.is_staff:
        raise PermissionDenied
    if request.method == "POST" and not model_admin.has_change_permission(request):
        raise PermissionDenied
    report = staged = None
    if "staged" in request.POST:
        form = LegacyImportForm()
        staged_form = StagedImportForm(request.POST, user=request.user)
        valid = staged_form.is_valid()
        if valid:
            items, options = staged_form.cleaned_data["staged"]
            author = (
                Member.objects.filter(pk=options["author"]).first() if options["author"] else None
            )
            report = import_many(
                items,
                author=author,
                aliases=options["aliases"],
                imported_by=request.user,
                season=options["season"],
            )
    else:
        form = LegacyImportForm(request.POST or None, request.FILES or None)
        staged_form = None
        valid = form.is_valid()
        if valid:
            items = [
                (f"upload/{upload.name}", upload.read()) for upload in form.cleaned_data["files"]
            ]
            options = {
                "author": form.cleaned_data["author"].pk if form.cleaned_data["author"] else None,
                "aliases": form.cleaned_data["aliases"],
                "season": form.cleaned_data["season"].strip(),
            }
            dry_run = form.cleaned_data["dry_run"]
            report = import_many(
                items,
                author=form.cleaned_data["author"],
                aliases=options["aliases"],
                dry_run=dry_run,
                imported_by=request.user,
                season=options["season"],
            )
            if dry_run and len(report.failed) < len(report.files):
                staged = StagedImportForm(
                    initial={"staged": stage(items, options, request.user)}, user=request.user
                )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import legacy notes"),
        "opts": ImportedFile._meta,
        "form": form,
        "staged_form": staged_form,
        "staged": staged,
        "report": report,
        "summary": "\n".join(report.summary_lines()) if report else "",
    }
    status = 400 if request.method == "POST" and not valid else 200
    return render(request, "admin/study/importedfile/import.html", context, status=status)
