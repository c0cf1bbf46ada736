from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.markdown import MAX_LONG_TEXT
from sessions.models.base import markdown_too_long


class MarkdownPreviewForm(forms.Form):
    """The text the markdown editor sends for its live preview.

    An empty text is fine (the editor was cleared); a request without one,
    or a text longer than any markdown field accepts, is refused.
    """

    content = forms.CharField(required=False, strip=False)

    def clean_content(self):
        content = self.cleaned_data["content"]
        if "content" not in self.data:
            raise forms.ValidationError(_("There is no text to preview."), code="no_content")
        if len(content) > MAX_LONG_TEXT:
            raise markdown_too_long(len(content), MAX_LONG_TEXT)
        return content
