"""A photo for a drawing page: opened before it is kept, and kept without where it was taken."""

from __future__ import annotations

import io
import os

from PIL import ExifTags, Image
from sqlalchemy import text

from cpc_bot.emulator.server import BotApiEmulator
from tests.children.test_children import open_booklet
from tests.helpers import BotHarness

CHILD = 6101
COULD_NOT_OPEN = "I could not open that picture. Please try another photo."
DRAWING_PAGE = "Good things. What makes you feel safe?"


def photo_with_location() -> bytes:
    """A phone's photo: held sideways (EXIF orientation 6), with the maker, the place (GPS) and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (53.0, 48.0, 12.0),
                                  ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (1.0, 33.0, 4.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (250, 200, 40)).save(buffer, format="JPEG", exif=exif, comment=b"12 Park Road")
    return buffer.getvalue()


async def blobs(harness: BotHarness, user_id: int) -> int:
    async with harness.app.engine.connect() as db:
        return (await db.execute(text("select count(*) from blobs where user_id = :u"), {"u": user_id})).scalar_one()


async def stored_pictures(harness: BotHarness, user_id: int) -> list[bytes]:
    """The pictures in the child's answers, read back through the repository."""
    repo = harness.app.repo
    response = await repo.latest_response(user_id)
    assert response is not None and response.id is not None
    pictures = []
    for answer in (await repo.answers(response.id)).values():
        for part in answer.value if isinstance(answer.value, list) else []:
            if isinstance(part, dict) and part.get("type") == "image":
                loaded = await repo.load_blob(part["blob"], user_id)
                assert loaded is not None
                pictures.append(loaded[0])
    return pictures


async def test_what_is_not_a_picture_gets_a_kind_reply_and_nothing_is_kept(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    assert DRAWING_PAGE in emulator.last_message(CHILD).visible
    huge = io.BytesIO()
    Image.new("1", (7000, 6000)).save(huge, format="PNG")  # 42 million pixels in a few kilobytes
    for data in (os.urandom(4096), b"\xff\xd8\xff\xe0 not really a jpeg", huge.getvalue(), photo_with_location()[:300]):
        before = len(emulator.messages(CHILD))
        await child.send_photo(data, caption="me and my dog")
        reply, prompt = emulator.messages(CHILD)[before:]
        assert reply.visible == COULD_NOT_OPEN
        assert DRAWING_PAGE in prompt.visible and "picture" not in prompt.visible  # asked again, nothing added
    assert await stored_pictures(harness, CHILD) == []
    assert await blobs(harness, CHILD) == 0


async def test_a_photo_is_kept_upright_without_its_exif_or_location(harness: BotHarness, emulator: BotApiEmulator) -> None:
    sent = photo_with_location()
    with Image.open(io.BytesIO(sent)) as original:  # what a phone sends: where and with what it was taken
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (53.0, 48.0, 12.0)
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.send_photo(sent)
    assert "1 picture" in emulator.last_message(CHILD).visible
    [kept] = await stored_pictures(harness, CHILD)
    with Image.open(io.BytesIO(kept)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (240, 320)  # turned the way the phone was held
        exif = picture.getexif()
        assert dict(exif) == {} and exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in picture.info and "comment" not in picture.info
        assert max(abs(a - b) for a, b in zip(picture.getpixel((120, 160)), (250, 200, 40), strict=True)) <= 3
    assert b"PhoneMaker" not in kept and b"Park Road" not in kept
