"""Saving a form while other people save too.

Two requests that write the same thing at once must end in a form message,
never in a lost edit or a 500:

- Two people open one edit form and both save: the second save would put
  back what the first one changed. A form with `EditConflictMixin` carries
  the version of the row it shows (its `updated_at` when the form was
  rendered) in a hidden field, and `save_or_form_error` writes only while
  the row is still at that version. The check is one conditional UPDATE in
  the save's own transaction, so two simultaneous saves cannot both pass.
  The one that comes second gets a form message and the stored values
  beside its own text, which stays in the inputs; the form then carries the
  stored version, so saving again replaces it deliberately.
- Two submits pass validation before either has written, and the second
  breaks a unique constraint. For the constraints a form names in
  `race_constraints`, the save runs in a savepoint and the form is validated
  again: now that the other row is committed, the form's own check reports
  it with the message it gives when nobody races.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models.content import writes_of

# The hidden field that carries the version of the row a form was opened on.
VERSION_FIELD = "version"

CONFLICT_MESSAGE = _(
    "Someone changed this after you opened the form (maybe you, in another window). "
    "Your text is still in the form, and what is saved now is shown below it. "
    "Compare the two; saving again replaces the saved version with yours."
)
DELETED_MESSAGE = _(
    "This was deleted after you opened the form, so it could not be saved. "
    "Your text is still in the form: copy it if you want to keep it."
)
RACE_MESSAGE = _(
    "Someone saved the same thing at the same moment, so this could not be saved. "
    "Your text is still in the form: check it and save again."
)


def version_of(instance, field="updated_at"):
    """The version token of `instance`: its `field` timestamp, "" when it has none."""
    value = getattr(instance, field, None)
    return value.isoformat() if value is not None else ""


def parse_version(token):
    """The timestamp a version token stands for, or None for anything else."""
    try:
        value = datetime.datetime.fromisoformat(token)
    except (TypeError, ValueError):
        return None
    return value if timezone.is_aware(value) == settings.USE_TZ else None


def shown_value(field, value):
    """`value` of the form field `field` as the text a reader recognises:
    choices by their labels (in the order of `value`), dates as the input
    writes them."""
    if isinstance(field, forms.ChoiceField):
        values = value if isinstance(value, (list, tuple)) else [value]
        labels = {str(key): str(label) for key, label in field.choices}
        return ", ".join(
            labels.get(str(field.prepare_value(item)), str(item))
            for item in values
            if item not in (None, "")
        )
    return field.widget.format_value(field.prepare_value(value)) or ""


@dataclass(frozen=True)
class StoredValue:
    """A field's label and its stored value, as text."""

    label: str
    text: str


@dataclass(frozen=True)
class EditConflict:
    """What an edit form shows when its row changed after it was opened: the
    stored values that differ from what the user typed (none when the row
    was deleted)."""

    deleted: bool
    values: tuple[StoredValue, ...]


class EditConflictMixin:
    """A model form that saves an edit only over the version it was opened on.

    Put it before `forms.ModelForm` in the bases and save the form with
    `save_or_form_error`. The form gets a hidden `version` field; an edit
    saves the columns the form edits (`update_fields()`) and the version.
    A form with fields of its own (not model fields) adds their values for
    an instance in `initial_from`, which the form shows and compares a
    conflict against.
    """

    # The model's timestamp that every save moves on (`auto_now`).
    version_field = "updated_at"
    # Constraints (by name) a simultaneous submit may break after this form
    # was validated; `save_or_form_error` validates the form again then.
    race_constraints = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        # Any text: a version that is not one of the row's is a conflict, not an error.
        self.fields[VERSION_FIELD] = forms.Field(required=False, widget=forms.HiddenInput)
        if not self.instance._state.adding:
            for name, value in self.initial_from(self.instance).items():
                self.initial.setdefault(name, value)
        self.initial[VERSION_FIELD] = version_of(self.instance, self.version_field)

    def initial_from(self, instance):
        """The values the form shows for `instance`."""
        return model_to_dict(instance, fields=self._meta.fields, exclude=self._meta.exclude)

    def update_fields(self):
        """The columns an edit writes: the model fields of the form, and the version."""
        columns = {field.name for field in self._meta.model._meta.concrete_fields}
        return [name for name in self.fields if name in columns] + [self.version_field]

    def save(self, commit=True):
        """Save; an edit writes only `update_fields()`."""
        if not commit or self.instance._state.adding:
            return super().save(commit=commit)
        instance = super().save(commit=False)
        instance.save(update_fields=self.update_fields())
        self._save_m2m()
        return instance

    def claim_row(self):
        """Whether the form may save: a new row always may; an edited row only
        while it is still at the version the form was opened on, and then it
        stays locked for this save until the transaction ends (a conditional
        UPDATE that changes nothing, so that two simultaneous saves cannot
        both pass)."""
        if self.instance._state.adding:
            return True
        version = parse_version(self.cleaned_data.get(VERSION_FIELD))
        if version is None:
            return False
        field = self.version_field
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk, **{field: version})
        with writes_of(self.instance):
            return rows.update(**{field: models.F(field)}) == 1

    def stored_row(self):
        """The edited row as stored now, or None when it was deleted."""
        return type(self.instance)._base_manager.filter(pk=self.instance.pk).first()

    def show_conflict(self, stored):
        """Report that the row changed (`stored`, as it is now) or was deleted
        (`stored` None) after the form was opened. What the user typed stays
        in the inputs; the stored values that differ from it are kept in
        `conflict` to be shown beside it, and the form now carries the stored
        version, so that saving again replaces it."""
        if stored is None:
            self.conflict = EditConflict(deleted=True, values=())
            self.add_error(None, ValidationError(DELETED_MESSAGE, code="deleted"))
            return
        initial = self.initial_from(stored)
        self.conflict = EditConflict(
            deleted=False,
            values=tuple(
                StoredValue(str(self[name].label), shown_value(field, initial.get(name)))
                for name, field in self.fields.items()
                if name != VERSION_FIELD
                and not isinstance(field, forms.FileField)
                and field.has_changed(initial.get(name), self[name].data)
            ),
        )
        self.add_error(None, ValidationError(CONFLICT_MESSAGE, code="edit_conflict"))
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = version_of(stored, self.version_field)
        self.data = data


def broke_constraint(error, model, name):
    """Whether the IntegrityError `error` says that the constraint `name` of
    `model` was broken. PostgreSQL names the constraint; SQLite names a
    unique constraint by its columns and a check constraint by its name."""
    diagnostics = getattr(error.__cause__, "diag", None)
    if diagnostics is not None:
        return diagnostics.constraint_name == name
    constraint = next((c for c in model._meta.constraints if c.name == name), None)
    if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
        table = model._meta.db_table
        columns = ", ".join(
            f"{table}.{model._meta.get_field(field).column}" for field in constraint.fields
        )
        return str(error) == f"UNIQUE constraint failed: {columns}"
    return str(error) == f"CHECK constraint failed: {name}"


def save_or_form_error(form):
    """Validate the bound model form `form` and save it, in a savepoint.

    Returns what was saved, or None when the form has errors to show instead:
    its own, an edit conflict (the row changed or was deleted after the form
    was opened, see `EditConflictMixin`) or the error its validation gives
    for a constraint of `race_constraints` that a simultaneous submit broke
    first. Nothing is written then. Any other IntegrityError is a bug and
    goes on.
    """
    if not form.is_valid():
        return None
    model = form._meta.model
    try:
        with transaction.atomic():
            if not isinstance(form, EditConflictMixin) or form.claim_row():
                return form.save()
            # The claim matched no row: nothing was written. Roll back, so
            # that the claim changes no table version either.
            transaction.set_rollback(True)
    except ValidationError as error:
        # A save that could not complete for a reason the user can act on
        # (slides that could not be stored): nothing was written.
        form.add_error(None, error)
        return None
    except IntegrityError as error:
        if not any(
            broke_constraint(error, model, name) for name in getattr(form, "race_constraints", ())
        ):
            raise
        form.full_clean()
        if not form.errors:
            form.add_error(None, ValidationError(RACE_MESSAGE, code="race"))
        return None
    form.show_conflict(form.stored_row())
    return None
