"""Content-addressed image storage: an image's name is its SHA-256, kept on the read as proof."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from platekeeper.server.common.bulk import insert_ignoring_duplicates
from platekeeper.server.reads.models import Image

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class ImageRejected(ValueError):
    """An image cannot be stored; the message says why."""


def sniff_image_type(data: bytes) -> tuple[str, str]:
    """Return (content type, file extension) from the bytes themselves, never from a header."""
    for signature, content_type, extension in _SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise ImageRejected("is not a JPEG, PNG or WebP image")


def check_image(data: bytes) -> None:
    """Refuse empty, oversized or non-image data before anything is written."""
    if not data:
        raise ImageRejected("is empty")
    limit = settings.PLATEKEEPER_MAX_IMAGE_BYTES
    if len(data) > limit:
        raise ImageRejected(f"is {len(data)} bytes, over the limit of {limit}")
    sniff_image_type(data)


def image_digest(data: bytes) -> str:
    """The SHA-256 that names an image and proves later that it was not altered."""
    return hashlib.sha256(data).hexdigest()


def store_images(images: Iterable[bytes]) -> list[str]:
    """Store each distinct image once under its digest; return the digests in input order.

    Files are written before rows: if the surrounding transaction rolls back, an unreferenced
    file may remain (the purge's orphan sweep removes it), but a row never points at a missing
    file. Call inside the transaction that stores the reads referring to the images.
    """
    images = list(images)
    digests = [image_digest(data) for data in images]
    by_digest = dict(zip(digests, images, strict=True))
    known = set(Image.objects.filter(sha256__in=list(by_digest)).values_list("sha256", flat=True))
    rows = []
    for digest, data in by_digest.items():
        if digest in known:
            continue
        check_image(data)
        content_type, extension = sniff_image_type(data)
        path = f"images/{digest[:2]}/{digest}.{extension}"
        if not default_storage.exists(path):
            saved = default_storage.save(path, ContentFile(data))
            if saved != path:  # a concurrent writer stored it first; keep the canonical copy
                default_storage.delete(saved)
        rows.append(
            Image(sha256=digest, content_type=content_type, size_bytes=len(data), path=path)
        )
    insert_ignoring_duplicates(rows)
    return digests


def image_bytes(image: Image) -> bytes:
    """The stored file of an image (callers gate and audit the access)."""
    with default_storage.open(image.path, "rb") as handle:
        return handle.read()


def verify_image(image: Image) -> bool:
    """Return True when the stored file still hashes to the digest the read recorded."""
    return image_digest(image_bytes(image)) == image.sha256


def data_uri(image: Image) -> str:
    """The image inline (`data:` URI), for pages that show images in the one gated access that
    disclosed them instead of one request (and one audit event) per image."""
    return f"data:{image.content_type};base64,{base64.b64encode(image_bytes(image)).decode()}"
