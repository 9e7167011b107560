"""A photo a person sends, checked and stripped before it is kept.

Telegram sends a photo as a JPEG, but what arrives is only bytes: it is opened with Pillow
and decoded in full, so something that is not a picture (or is cut short) is refused before
anything is saved. What is kept is made again from the pixels alone: no EXIF (the phone's
make, the time, the GPS location where it was taken), no XMP, no comment, no colour profile.
The picture is first turned the way the phone's EXIF said it was held, so it still shows
the right way up.
"""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

#: The most pixels a kept picture may have: a phone's photo has 12 to 50 million, Telegram
#: sends at most 2560 pixels a side (6.5 million). Past this a picture is refused before it is
#: decoded (a small file can unpack to gigabytes).
MAX_PIXELS = 40_000_000

#: The formats opened at all: what Telegram and phones send. Pillow's other readers are never tried.
FORMATS = ("JPEG", "PNG", "WEBP")

#: JPEG quality of the kept copy: no visible loss for a photo of a drawing.
QUALITY = 90


def clean_picture(data: bytes) -> bytes | None:
    """The picture as a JPEG with nothing in it but its pixels, or None when it cannot be read.

    CPU work (decoding, encoding): run it in a worker thread.
    """
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                log.info("photo.refused reason=too_many_pixels")
                return None
            upright = ImageOps.exif_transpose(opened)  # decodes every pixel: a broken file fails here
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        # A new image from the pixel data alone: no metadata of the original comes with it.
        bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        out = io.BytesIO()
        bare.save(out, format="JPEG", quality=QUALITY)
        return out.getvalue()
    except Exception as exc:  # noqa: BLE001 - whatever a broken file raises, the person is told kindly
        log.info("photo.refused reason=%s", type(exc).__name__)
        return None
