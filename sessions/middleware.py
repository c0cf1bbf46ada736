"""Cache-Control for the app's own responses (static files are WhiteNoise's)."""

from django.utils.cache import add_never_cache_headers, patch_cache_control

# Pages holding text only their reader should see: journals, profiles
# (e-mail address, private feed addresses), drafts, search results, the
# invitation form. Nothing keeps them: no shared cache, no browser history
# on a shared computer.
NO_STORE_VIEWS = {
    "study:journal-list",
    "study:journal-detail",
    "study:journal-create",
    "study:journal-edit",
    "study:journal-delete",
    "study:member-detail",
    "study:profile-edit",
    "study:reflection-edit",
    "study:search",
    "study:invitation-accept",
}


class CacheControlMiddleware:
    """Every page is for one reader: `Cache-Control: private` unless the
    view said otherwise (the admin and the login pages say `no-store`
    already), so no proxy or shared cache keeps a member's page or a feed
    behind its secret address for someone else. The pages in
    NO_STORE_VIEWS are not stored at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.view_name in NO_STORE_VIEWS:
            add_never_cache_headers(response)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response
