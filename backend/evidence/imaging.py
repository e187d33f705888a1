"""证据照片: checks an uploaded photo, reads its capture metadata, makes the images we serve.

Pure functions over bytes: no database, no HTTP. The order of the checks is part of the
contract: size of the body, then format and pixel count from the header alone, and only
then a decode, so that a hostile file costs no memory before it is refused.

Example:
    >>> photo = process_image(body)  # doctest: +SKIP
    >>> photo.captured_at, photo.gps, photo.phash  # doctest: +SKIP
    >>> hamming(photo.phash, other.phash) <= PHASH_NEAR  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import imagehash
from PIL import ExifTags, Image, ImageCms, ImageFile

if TYPE_CHECKING:
    from datetime import tzinfo

__all__ = [
    "PHASH_NEAR",
    "GpsFix",
    "ImageRefused",
    "ProcessedImage",
    "RefusalCode",
    "hamming",
    "process_image",
    "sha256_hex",
]

#: Largest Hamming distance between two 64-bit pHashes still counted as the same photo.
#: A 50 % downscale plus JPEG recompression stays within 0-4; unrelated photos sit near 32.
PHASH_NEAR: Final = 10

RefusalCode = Literal["too_large", "too_many_pixels", "unsupported_format", "corrupt"]

_DEFAULT_MESSAGES: Final[dict[str, str]] = {
    "too_large": "The photo is too large ({size} bytes; limit {max_bytes})",
    "too_many_pixels": "The photo has too many pixels (limit {max_pixels})",
    "unsupported_format": "Unsupported image format (allowed: {allowed})",
    "corrupt": "The image file is damaged or incomplete",
}

#: Pillow format name → the name we store. Phones often write MPO (JPEG with a depth map),
#: which Pillow's JPEG opener reports as such.
_FORMATS: Final[dict[str, str]] = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_OPENERS: Final = ("JPEG", "PNG", "WEBP")
_MAGIC: Final = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
_HEIF_BRANDS: Final = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")

#: Same mapping as ``PIL.ImageOps.exif_transpose``; applied to the downscaled image.
_TRANSPOSE: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

#: Errors Pillow raises on damaged data once a header has been accepted.
_DECODE_ERRORS: Final = (OSError, SyntaxError, ValueError, EOFError, IndexError)
#: Errors from malformed EXIF, which costs the metadata but not the photo. Pillow's
#: "Corrupt EXIF data" is a UserWarning, an exception where warnings are errors.
_EXIF_ERRORS: Final = (
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OSError,
    UserWarning,
)

_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_DISPLAY_QUALITY: Final = 85
_THUMB_QUALITY: Final = 80


def _china_tz() -> tzinfo:
    # China has kept UTC+8 without daylight saving since 1991, so the fixed offset is a
    # faithful fallback where the tz database is not installed.
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except (ImportError, KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return timezone(timedelta(hours=8), "CST")


_CHINA_TZ: Final = _china_tz()


class ImageRefused(Exception):
    """An upload we will not store; the HTTP layer words it from ``code`` and ``params``.

    Params by code: ``too_large`` has ``size`` and ``max_bytes``; ``too_many_pixels`` has
    ``max_pixels``; ``unsupported_format`` has ``allowed``; ``corrupt`` has none.
    """

    def __init__(self, code: RefusalCode, **params: Any) -> None:
        self.code: RefusalCode = code
        self.params: dict[str, Any] = params
        super().__init__(_DEFAULT_MESSAGES[code].format(**params))


class GpsFix(NamedTuple):
    """Where the camera says it was: degrees (WGS-84 as written) and accuracy in metres."""

    lat: float
    lon: float
    accuracy_m: float | None


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted photo: what it claims about itself, and the metadata-free copies we serve."""

    sha256: str
    #: ``JPEG``, ``PNG``, ``WEBP`` or ``HEIF``.
    format: str
    #: Pixel size of the original, after EXIF orientation.
    width: int
    height: int
    #: EXIF DateTimeOriginal; without OffsetTimeOriginal it is read as Beijing time.
    captured_at: datetime | None
    gps: GpsFix | None
    #: 64-bit perceptual hash, 16 hex digits; compare with :func:`hamming`.
    phash: str
    display_jpeg: bytes = field(repr=False)
    thumb_jpeg: bytes = field(repr=False)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``: the photo's address in the evidence store."""
    return hashlib.sha256(data).hexdigest()


def hamming(a_hex: str, b_hex: str) -> int:
    """Number of differing bits between two hex perceptual hashes of the same length.

    Raises:
        ValueError: the hashes differ in length or are not hex.
    """
    if len(a_hex) != len(b_hex):
        raise ValueError(f"hash lengths differ: {len(a_hex)} and {len(b_hex)}")
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def process_image(
    data: bytes,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    max_pixels: int = 40_000_000,
    display_max_px: int = 1600,
    thumb_px: int = 320,
) -> ProcessedImage:
    """Check an uploaded photo and derive everything the evidence store keeps about it.

    Args:
        data: The uploaded body.
        max_bytes: Largest accepted body.
        max_pixels: Largest accepted width × height, checked from the header before
            decoding; never more than ``PIL.Image.MAX_IMAGE_PIXELS``.
        display_max_px: Long side of the served copy (never upscaled).
        thumb_px: Long side of the thumbnail.

    Raises:
        ImageRefused: the photo is too large, of a format we do not take, or damaged.
    """
    if display_max_px < 1 or thumb_px < 1:
        raise ValueError("display_max_px and thumb_px must be positive")
    if len(data) > max_bytes:
        raise ImageRefused("too_large", size=len(data), max_bytes=max_bytes)
    with _open(data, max_pixels) as im:
        fmt = _FORMATS.get(im.format or "", "HEIF")  # _open admits nothing else
        width, height = im.size
        _decode(im, display_max_px)
        exif = _read_exif(im)
        orientation = _orientation(exif)
        display = _to_srgb(_fit(_to_rgb(im), display_max_px), im.info.get("icc_profile"))
    if orientation in _TRANSPOSE:
        display = display.transpose(_TRANSPOSE[orientation])
    if orientation >= 5:
        width, height = height, width
    thumb = _fit(display, thumb_px)
    return ProcessedImage(
        sha256=sha256_hex(data),
        format=fmt,
        width=width,
        height=height,
        captured_at=_captured_at(exif),
        gps=_gps(exif),
        phash=str(imagehash.phash(thumb)),
        display_jpeg=_encode(display, _DISPLAY_QUALITY),
        thumb_jpeg=_encode(thumb, _THUMB_QUALITY),
    )


# --- opening and decoding -------------------------------------------------------------


@functools.cache
def _openers() -> tuple[str, ...]:
    """Pillow openers allowed to parse an upload; pillow-heif adds HEIF when installed."""
    try:
        import pillow_heif
    except ImportError:
        return _OPENERS
    pillow_heif.register_heif_opener()
    return (*_OPENERS, "HEIF")


def _accepted(pillow_format: str | None) -> bool:
    return pillow_format in _FORMATS or (pillow_format == "HEIF" and "HEIF" in _openers())


def _allowed_label() -> str:
    return ", ".join(_openers())


def _looks_allowed(data: bytes) -> bool:
    """Whether the leading bytes claim one of our formats (so a failure means damage)."""
    if data.startswith(_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return True
    return "HEIF" in _openers() and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _pixel_limit(max_pixels: int) -> int:
    # Never above Pillow's own bomb threshold, so its warning band is refused as well.
    bomb = Image.MAX_IMAGE_PIXELS
    return max_pixels if bomb is None else min(max_pixels, bomb)


def _open(data: bytes, max_pixels: int) -> ImageFile.ImageFile:
    """Open ``data`` reading the header only and check format and pixel count.

    Only our formats' parsers ever see the bytes (``formats=``).
    """
    limit = _pixel_limit(max_pixels)
    try:
        im = Image.open(io.BytesIO(data), formats=_openers())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # The warning arrives as an exception only where warnings are errors (tests).
        raise ImageRefused("too_many_pixels", max_pixels=limit) from e
    except _DECODE_ERRORS as e:  # includes UnidentifiedImageError
        if _looks_allowed(data):
            raise ImageRefused("corrupt") from e
        raise ImageRefused("unsupported_format", allowed=_allowed_label()) from e
    width, height = im.size
    refusal = None
    if not _accepted(im.format):
        refusal = ImageRefused("unsupported_format", allowed=_allowed_label())
    elif width < 1 or height < 1:
        refusal = ImageRefused("corrupt")
    elif width * height > limit:
        refusal = ImageRefused("too_many_pixels", max_pixels=limit)
    if refusal is not None:
        im.close()
        raise refusal
    return im


def _decode(im: ImageFile.ImageFile, long_side: int) -> None:
    """Decode the first frame; a JPEG only at the smallest DCT scale still ≥ ``long_side``."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Pillow would pad a cut-off upload with grey, and we would keep it as evidence.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    if im.format in ("JPEG", "MPO"):
        im.draft("RGB", _scaled(im.size, long_side))
    try:
        im.load()
    except _DECODE_ERRORS as e:
        raise ImageRefused("corrupt") from e


def _read_exif(im: Image.Image) -> Image.Exif:
    """The EXIF block with its sub-IFDs parsed now, so a malformed one costs only metadata."""
    try:
        exif = im.getexif()
        exif.get_ifd(ExifTags.IFD.Exif)
        exif.get_ifd(ExifTags.IFD.GPSInfo)
    except _EXIF_ERRORS:
        return Image.Exif()
    return exif


# --- pixels -----------------------------------------------------------------------------


def _scaled(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    w, h = size
    if max(w, h) <= long_side:
        return size
    scale = long_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _fit(im: Image.Image, long_side: int) -> Image.Image:
    size = _scaled(im.size, long_side)
    if size == im.size:
        return im
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB for any mode: transparency onto white, 16-bit grey scaled down, CMYK converted."""
    if im.mode == "RGB":
        return im
    if im.mode.startswith("I"):  # 16-bit grey PNG; a plain convert would clip at 255
        return im.convert("I").point(lambda v: v * (1 / 257)).convert("L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im.convert("RGB")


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Bake an embedded RGB colour profile into the pixels, since the profile is dropped."""
    if not icc:
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        # sRGB pixels are already what a viewer assumes; skipping them saves ~25 ms a photo.
        if source.profile.xcolor_space.strip() != "RGB" or _is_srgb(source):
            return im
        return ImageCms.profileToProfile(im, source, _srgb(), outputMode="RGB") or im
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    return (profile.profile.profile_description or "").lower().startswith("srgb")


def _encode(im: Image.Image, quality: int) -> bytes:
    # A new image carries no info dict, so no EXIF, GPS, XMP, ICC or comment rides along.
    fresh = Image.new("RGB", im.size)
    fresh.paste(im)
    out = io.BytesIO()
    fresh.save(out, "JPEG", quality=quality)
    return out.getvalue()


# --- metadata ---------------------------------------------------------------------------


def _orientation(exif: Image.Exif) -> int:
    value = exif.get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _captured_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal at OffsetTimeOriginal, else at Beijing time; None if unreadable."""
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    raw = _text(ifd.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTimeOriginal))
    try:
        taken = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # also the "0000:00:00 00:00:00" some cameras write
        return None
    subsec = _text(ifd.get(ExifTags.Base.SubsecTimeOriginal))
    if subsec.isdigit():
        taken = taken.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    return taken.replace(tzinfo=_offset(_text(ifd.get(ExifTags.Base.OffsetTimeOriginal))))


def _offset(text: str) -> tzinfo:
    """EXIF ``±HH:MM``; anything else (absent, blank, out of range) means Beijing time."""
    match = _OFFSET.fullmatch(text)
    if match is None or int(match[2]) > 14 or int(match[3]) >= 60:
        return _CHINA_TZ
    delta = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return timezone(-delta if match[1] == "-" else delta)


def _degrees(dms: object, ref: object, positive: str, negative: str) -> float | None:
    """EXIF (degrees, minutes, seconds) and a hemisphere letter → signed decimal degrees."""
    hemisphere = _text(ref).upper()
    parts = dms if isinstance(dms, tuple) else (dms,)
    if hemisphere not in (positive, negative) or not 1 <= len(parts) <= 3:
        return None
    numbers = [_number(p) for p in parts]
    if any(n is None or n < 0 for n in numbers):
        return None
    d, m, s = (*(n or 0.0 for n in numbers), 0.0, 0.0)[:3]
    if m >= 60 or s >= 60:
        return None
    value = d + m / 60 + s / 3600
    return -value if hemisphere == negative else value


def _gps(exif: Image.Exif) -> GpsFix | None:
    """The GPS fix, or None when absent or impossible (|lat| > 90, |lon| > 180)."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    tags = ExifTags.GPS
    lat = _degrees(gps.get(tags.GPSLatitude), gps.get(tags.GPSLatitudeRef), "N", "S")
    lon = _degrees(gps.get(tags.GPSLongitude), gps.get(tags.GPSLongitudeRef), "E", "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    accuracy = _number(gps.get(tags.GPSHPositioningError))
    return GpsFix(lat, lon, accuracy if accuracy is not None and accuracy >= 0 else None)
