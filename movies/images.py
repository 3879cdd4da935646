"""
Uploaded images: verified by Pillow, bounded, re-encoded without metadata, thumbnailed.

Every image a person uploads goes through here, whichever form or command it came from.
"""

import io
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (480, 480)
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def random_upload_path(instance, filename):
    """Store uploads under a random name in a folder per model ("photo/ab12...jpg")."""
    ext = os.path.splitext(filename)[1].lower()
    if ext not in {".jpg", ".jpeg", ".png", ".gif", ".webp"}:
        ext = ".jpg"
    return f"{instance._meta.model_name}/{uuid.uuid4().hex}{ext}"


def _open_checked(file):
    """Open an uploaded file as an image or raise ValidationError saying why not."""
    size = getattr(file, "size", None)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ValidationError(f"The image is too large: the limit is {limit} MB.")
    try:
        file.seek(0)
        with Image.open(file) as probe:
            # The header gives the size: refuse a decompression bomb before decoding it.
            if probe.width * probe.height > settings.MAX_IMAGE_PIXELS:
                raise ValidationError("The image has too many pixels.")
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError("Upload a JPEG, PNG, GIF or WebP image.")
            probe.verify()
        file.seek(0)
        image = Image.open(file)
        image.load()
    except Image.DecompressionBombError as exc:
        raise ValidationError("The image has too many pixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("That file is not an image we can read.") from exc
    finally:
        file.seek(0)
    return image


def validate_image_upload(file):
    """Model-field validator: the file must be a real image within the limits."""
    _open_checked(file)


def _encode(image, *, max_size=None):
    """Re-encode an image without its metadata; JPEG unless it needs transparency."""
    image = ImageOps.exif_transpose(image)
    if max_size:
        image.thumbnail(max_size)
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    buffer = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(buffer, format="PNG", optimize=True)
        ext = ".png"
    else:
        image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True)
        ext = ".jpg"
    return buffer.getvalue(), ext


def reencode_new_upload(field_file):
    """
    Replace a newly assigned upload by a clean re-encoding of it.

    Returns True when there was a new upload. Files already stored are left alone.
    """
    if not field_file or getattr(field_file, "_committed", True):
        return False
    image = _open_checked(field_file.file)
    data, ext = _encode(image)
    name = os.path.splitext(os.path.basename(field_file.name))[0] + ext
    field_file.save(name, ContentFile(data), save=False)
    return True


def make_thumbnail(field_file):
    """Return a ContentFile holding a small version of a stored image."""
    field_file.open("rb")
    try:
        image = Image.open(field_file)
        image.load()
    finally:
        field_file.close()
    data, ext = _encode(image, max_size=THUMBNAIL_SIZE)
    return ContentFile(data, name=f"thumb{ext}")
