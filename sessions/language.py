"""The language a member chose, on every browser they log in from."""

from django.conf import settings
from django.utils import translation

from sessions.models import Member


class MemberLanguageMiddleware:
    """A logged-in member whose browser has no language cookie yet (a new
    browser, or cookies cleared) and who chose a language other than the
    site's with the language switcher gets it, and the cookie with it,
    instead of what the browser's Accept-Language says. A member still on
    the site's language (the profile's default: nothing chosen, as far as
    the profile can tell) is served as their browser asks. A cookie, once
    there, is the member's latest choice and wins (Django's LocaleMiddleware
    reads it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = None
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.is_authenticated
            and user.language != Member._meta.get_field("language").default
        ):
            language = user.language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language is not None:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
