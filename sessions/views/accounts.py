"""Accepting an invitation: the invited member sets a password and is logged in.

Logging in, logging out, changing and resetting passwords are Django's own
views (django.contrib.auth.urls) with our templates in templates/registration/.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from sessions.auth import MEMBER_BACKEND
from sessions.invitations import member_for_invitation


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request, uidb64, token):
    member = member_for_invitation(uidb64, token)
    if member is None:
        # Expired, already used, or mistyped: say so plainly.
        return render(request, "study/invitation_invalid.html", status=400)
    form = SetPasswordForm(member, request.POST or None)
    if form.is_valid():
        form.save()
        # Two authentication backends are configured (django-axes first).
        login(request, member, backend=MEMBER_BACKEND)
        messages.success(
            request,
            _("Welcome, %(name)s! Your password is set; you log in as “%(username)s”.")
            % {"name": member.display_name, "username": member.username},
        )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "study/invitation_accept.html", {"form": form, "member": member})
