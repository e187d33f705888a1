"""Test pictures: natural-looking scenes, EXIF with GPS and capture time, hostile files."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational

__all__ = ["dms", "encode", "make_exif", "png_header_only", "scene"]


def dms(value: float) -> tuple[float, float, float]:
    """Decimal degrees → (degrees, minutes, seconds) for EXIF GPS."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """Gradients, a few filled shapes and sensor-like noise: enough structure for pHash."""
    w, h = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    phase = rng.uniform(0, 6, 3)
    freq = rng.uniform(1, 6, 3)
    base = np.stack(
        [
            128 + 100 * np.sin(x / w * freq[0] + phase[0]),
            128 + 100 * np.cos(y / h * freq[1] + phase[1]),
            128 + 80 * np.sin((x + y) / (w + h) * freq[2] * 2 + phase[2]),
        ],
        axis=-1,
    )
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(20):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        side = int(rng.integers(w // 20, w // 4))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x0, y0, x0 + side, y0 + int(side * rng.uniform(0.5, 1.5))], fill=colour)
    noisy = np.asarray(im, dtype=np.int16) + rng.normal(0, 10, (h, w, 3)).astype(np.int16)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(1)
    )


def encode(im: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def make_exif(
    *,
    taken: str | None = None,
    offset: str | None = None,
    lat: tuple[str, tuple[float, float, float]] | None = None,
    lon: tuple[str, tuple[float, float, float]] | None = None,
    accuracy: float | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        sub[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        sub[ExifTags.Base.OffsetTimeOriginal] = offset
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for (ref_tag, dms_tag), value in (
        ((ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude), lat),
        ((ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude), lon),
    ):
        if value is not None:
            gps[ref_tag] = value[0]
            gps[dms_tag] = tuple(IFDRational(round(v * 100), 100) for v in value[1])
    if accuracy is not None:
        gps[ExifTags.GPS.GPSHPositioningError] = IFDRational(round(accuracy * 10), 10)
    return exif


def png_header_only(width: int, height: int) -> bytes:
    """A syntactically valid PNG claiming ``width`` × ``height`` with a few bytes of IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
