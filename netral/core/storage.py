"""File storage that writes each file once: originals (evidence, letters, pacts, imports) are
never overwritten. The backend comes from ``NETRAL_STORAGE_URL`` (see ``netral.env``): a local
directory by default, an S3-compatible bucket in production. Files are read only through the
app's views, which check permissions and stream them (``FileResponse``)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage


class FileExists(Exception):
    """A write aimed at a name that is already stored: stored files are never replaced."""


class WriteOnce:
    """Refuse to write a name that exists (checked on every write, whatever chose the name)."""

    def _save(self, name: str, content: Any) -> str:
        if self.exists(name):  # type: ignore[attr-defined]
            raise FileExists(f"{name} is already stored; stored files are written once")
        return super()._save(name, content)  # type: ignore[misc]


class WriteOnceFileSystemStorage(WriteOnce, FileSystemStorage):
    pass


class WriteOnceS3Storage(WriteOnce, S3Storage):
    pass
