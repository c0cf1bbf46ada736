"""/favicon.ico, which browsers ask for whatever a page links: the site's icon."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static


@login_not_required
def favicon(request):
    return redirect(static("img/icon.svg"), permanent=True)
