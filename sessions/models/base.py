from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast, Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from sessions.markdown import MAX_LONG_TEXT

# What a page shows of a member named on it: their label and link.
MEMBER_LABEL_FIELDS = ("username", "display_name", "emoji")
# What a page shows of a session named on it: its full name, link and day.
SESSION_NAME_FIELDS = ("number", "date", "season__name", "season__slug")


def fields_of(relation, names):
    """`names` seen through `relation`, for `.only()`: fields_of("author",
    MEMBER_LABEL_FIELDS) is author__username, author__display_name, …"""
    return [f"{relation}__{name}" for name in names]


def count_of(queryset, field):
    """How many rows of `queryset` have `field` pointing at the outer row,
    as a subquery (0 when none). Annotated on a page of rows, it counts for
    those rows only, where `Count()` would group the whole table first."""
    rows = (
        queryset.filter(**{field: models.OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=models.Count("pk"))
        .values("total")
    )
    return Coalesce(models.Subquery(rows, output_field=models.IntegerField()), 0)


def union_branch(queryset, order, limit, **columns):
    """One branch of a UNION ALL of plain rows: the first `limit` rows of
    `queryset` in `order`, as `columns` (name → expression, the same names
    in every branch). The limit is a subquery, as SQLite takes no LIMIT in
    a branch of a union; the rows it picks are read again by primary key
    alone, without `queryset`'s conditions a second time, which PostgreSQL
    took longer to plan than to run (the session page's carried-over
    questions: 2.4 ms planning with them, against 0.7 ms running)."""
    first = queryset.order_by(*order).values("pk")[:limit]
    return queryset.model._base_manager.filter(pk__in=first).order_by().values(**columns)


def column(path, field):
    """A union's column: the field at `path`, or a NULL typed as `field`
    where a branch has none (`path` None)."""
    return models.F(path) if path else Cast(models.Value(None), field)


class JoinedIds(models.Aggregate):
    """The ids of a group as one text ("3,7,12"; NULL for none):
    GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL (`ids_of`)."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


def ids_of(queryset, field, outer_field, outer="pk"):
    """The `field` ids of the rows of `queryset` whose `outer_field` is the
    outer row's `outer`, as a subquery giving one text (see `split_ids`):
    a few ids brought along with a row, where a second query would cost a
    round trip."""
    rows = (
        queryset.filter(**{outer_field: models.OuterRef(outer)})
        .order_by()
        .values(outer_field)
        .annotate(ids=JoinedIds(field))
        .values("ids")
    )
    return models.Subquery(rows, output_field=models.TextField())


def split_ids(text):
    """The set of ids an `ids_of` subquery gave."""
    return {int(part) for part in text.split(",")} if text else set()


class RenderedMarkdownModel(models.Model):
    """A model whose markdown fields are rendered to HTML once, on save.

    `markdown_fields` maps each markdown source field to the field that keeps
    its sanitized HTML. Pages show the stored HTML; `rerender_markdown`
    renders everything again when the renderer changes.

    A markdown text may be at most `markdown_max_length` characters (one of
    the limits in sessions.markdown): `clean_fields` refuses a longer one,
    so every model form (the app's and the admin's) shows it as an error on
    its field. The importer checks the same limit.
    """

    markdown_fields: dict[str, str] = {}
    markdown_max_length = MAX_LONG_TEXT

    class Meta:
        abstract = True

    def render_markdown_fields(self):
        """Render every markdown field into its HTML field (no save)."""
        from sessions.markdown import render_markdown

        for source, target in self.markdown_fields.items():
            setattr(self, target, render_markdown(getattr(self, source) or ""))

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for source in self.markdown_fields:
            length = len(getattr(self, source) or "")
            if source not in (exclude or ()) and length > self.markdown_max_length:
                error = markdown_too_long(length, self.markdown_max_length)
                errors.setdefault(source, []).append(error)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, update_fields=None, **kwargs):
        self.render_markdown_fields()
        if update_fields is not None:
            update_fields = set(update_fields)
            update_fields |= {
                target for source, target in self.markdown_fields.items() if source in update_fields
            }
        super().save(*args, update_fields=update_fields, **kwargs)


def markdown_too_long(length, limit):
    """The error for a markdown text of `length` characters where `limit` is the most."""
    return ValidationError(
        _("This text has %(length)s characters; it can have at most %(limit)s."),
        code="markdown_too_long",
        params={
            "length": number_format(length, force_grouping=True),
            "limit": number_format(limit, force_grouping=True),
        },
    )


def keep_stored_version(instance):
    """Before `instance` (a model with `history`) is saved with a new text:
    when its history has no record yet (rows imported in bulk, or written
    before the history began), record the text as stored now, so that the
    earlier version is there to show."""
    model = type(instance)
    if not model.history.filter(**{model._meta.pk.attname: instance.pk}).exists():
        stored = model._base_manager.get(pk=instance.pk)
        model.history.bulk_history_create([stored], default_date=stored.updated_at)
