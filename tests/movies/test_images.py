import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_photo_gets_a_thumbnail_and_a_random_name():
    """A photo is re-encoded under a random name and gets a small thumbnail."""
    photo = f.make_photo(f.make_title(), image=f.image_upload("holiday.png", (1200, 900), "PNG"))
    assert "holiday" not in photo.image.name
    assert photo.image.name.startswith("photo/")
    with Image.open(photo.thumbnail.path) as thumb:
        assert max(thumb.size) <= 480


def test_metadata_is_stripped():
    """Re-encoding drops EXIF metadata from uploads."""
    import io

    buffer = io.BytesIO()
    image = Image.new("RGB", (20, 20))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    image.save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("x.jpg", buffer.getvalue(), content_type="image/jpeg")
    photo = f.make_photo(f.make_title(), image=upload)
    with open(photo.image.path, "rb") as stored:
        assert b"SecretCameraMaker" not in stored.read()


def test_a_file_that_is_not_an_image_is_refused():
    """Validation refuses a file that is not an image, with a clear message."""
    from movies.images import validate_image_upload

    fake = SimpleUploadedFile("cat.jpg", b"this is not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not an image"):
        validate_image_upload(fake)


def test_too_many_pixels_is_refused(settings):
    """Images over the pixel limit are refused."""
    from movies.images import validate_image_upload

    settings.MAX_IMAGE_PIXELS = 100
    with pytest.raises(ValidationError, match="too many pixels"):
        validate_image_upload(f.image_upload(size=(50, 50)))
