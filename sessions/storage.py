"""File storage that never leaves a partial file behind."""

import errno
import os
import uuid

from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs

# link() is not offered by every file system (some network and FUSE ones);
# there a rename puts the finished file in place instead.
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


class AtomicFileSystemStorage(FileSystemStorage):
    """Django's FileSystemStorage, writing each file under a temporary name
    in its folder and giving it its name only once it is complete.

    Django's own writes straight to the final name, so a full disk
    (ENOSPC) or any other failure mid-write leaves a truncated or empty
    file that pages then link to. Here a failed write removes the
    temporary file and raises; a file under its real name is always whole.
    The name is taken with link(), which fails if another upload took it
    meanwhile (then the next free name is used), as Django's O_EXCL does.
    """

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        temporary = os.path.join(directory, f".{uuid.uuid4().hex}.part")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(temporary, flags, 0o666)
            with os.fdopen(fd, "wb") as file:
                for chunk in content.chunks():
                    file.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                file.flush()
                os.fsync(file.fileno())
            name, full_path = self._take_name(name, full_path, temporary)
        finally:
            if os.path.lexists(temporary):
                os.remove(temporary)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def _take_name(self, name, full_path, temporary):
        """Give the finished `temporary` file the name `name`, or the next
        free one; (name, full path) as taken."""
        while True:
            try:
                os.link(temporary, full_path)
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
                continue
            except OSError as error:
                if error.errno not in _NO_HARD_LINKS:
                    raise
                os.replace(temporary, full_path)
            return name, full_path
