"""Uploads in an S3-compatible bucket, still served through the app.

django-storages' S3Storage gives each file a presigned URL of the bucket as
its `url()`. Pages and markdown must not hold those: they expire, and they
would hand the file to whoever holds the link. Here `url()` is the app's own
`/media/<name>`, like local disk, so the media view checks the login first
(sessions/views/media.py) and only then streams the file or redirects to a
short-lived presigned URL (`signed_url()`).
"""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class MembersS3Storage(S3Storage):
    """S3Storage whose file URLs are the app's media view."""

    def url(self, name):
        return settings.MEDIA_URL + filepath_to_uri(name)

    def signed_url(self, name, expire):
        """A presigned GET URL of the object, valid for `expire` seconds."""
        return super().url(name, expire=expire)
