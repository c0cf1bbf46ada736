from django.db import models
from django.db.models.functions import Coalesce


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


class RenderedMarkdownModel(models.Model):
    """A model whose markdown fields are rendered to HTML once, on save.

    `markdown_fields` maps each markdown source field to the field that keeps
    its sanitized HTML. Pages show the stored HTML; `rerender_markdown`
    renders everything again when the renderer changes.
    """

    markdown_fields: dict[str, str] = {}

    class Meta:
        abstract = True

    def render_markdown_fields(self):
        """Render every markdown field into its HTML field (no save)."""
        from sessions.markdown import render_markdown

        for source, target in self.markdown_fields.items():
            setattr(self, target, render_markdown(getattr(self, source) or ""))

    def save(self, *args, update_fields=None, **kwargs):
        self.render_markdown_fields()
        if update_fields is not None:
            update_fields = set(update_fields)
            update_fields |= {
                target for source, target in self.markdown_fields.items() if source in update_fields
            }
        super().save(*args, update_fields=update_fields, **kwargs)


def keep_stored_version(instance):
    """Before `instance` (a model with `history`) is saved with a new text:
    when its history has no record yet (rows imported in bulk, or written
    before the history began), record the text as stored now, so that the
    earlier version is there to show."""
    model = type(instance)
    if not model.history.filter(**{model._meta.pk.attname: instance.pk}).exists():
        stored = model._base_manager.get(pk=instance.pk)
        model.history.bulk_history_create([stored], default_date=stored.updated_at)
