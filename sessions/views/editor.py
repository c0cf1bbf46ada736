"""The markdown editor's live preview, through the project's one renderer."""

from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from sessions.forms.editor import MarkdownPreviewForm
from sessions.markdown import render_markdown


@require_POST
def markdown_preview(request):
    """The posted text rendered as its page will show it.

    Mounted at markdownx's own address (`markdownx/markdownify/`), ahead of
    its view, which fails with a 500 on a request without text and renders
    any length. The editor puts whatever comes back into its preview pane,
    so a refusal (400) is an error list that reads well there.
    """
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        errors = format_html_join("", "<li>{}</li>", ((error,) for error in form.errors["content"]))
        return HttpResponse(format_html('<ul class="errorlist">{}</ul>', errors), status=400)
    return HttpResponse(render_markdown(form.cleaned_data["content"]))
