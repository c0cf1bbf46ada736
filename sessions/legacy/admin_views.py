"""The admin page that imports uploaded legacy notes, like `import_legacy`."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sessions.management.commands.import_legacy import parse_aliases
from sessions.models import ImportedFile, Member

from .loader import EXTENSIONS, import_many

MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_FILES = 200


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
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
            return parse_aliases(line for line in self.cleaned_data["aliases"].splitlines() if line.strip())
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def import_view(model_admin, request):
    """Upload one or more files and import them; shows the same summary as the command."""
    if not model_admin.has_view_permission(request) or not request.user.is_staff:
        raise PermissionDenied
    if request.method == "POST" and not model_admin.has_change_permission(request):
        raise PermissionDenied
    form = LegacyImportForm(request.POST or None, request.FILES or None)
    report = None
    if form.is_valid():
        report = import_many(
            ((f"upload/{upload.name}", upload.read()) for upload in form.cleaned_data["files"]),
            author=form.cleaned_data["author"],
            aliases=form.cleaned_data["aliases"],
            dry_run=form.cleaned_data["dry_run"],
            imported_by=request.user,
            season=form.cleaned_data["season"].strip(),
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import legacy notes"),
        "opts": ImportedFile._meta,
        "form": form,
        "report": report,
        "summary": "\n".join(report.summary_lines()) if report else "",
    }
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "admin/study/importedfile/import.html", context, status=status)


