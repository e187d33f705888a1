"""Evidence photo speed: ``process_image`` on a 12-megapixel phone JPEG against a naive pipeline.

Run: ``.venv/bin/python tests/bench/bench_evidence.py`` (a script, not a pytest test).
The naive baseline does the same work (orientation, resize to 1600 px, 320 px thumbnail,
both JPEG encodes, pHash) after a full-size decode, i.e. without JPEG draft mode.
Exits 1 when the goal is missed.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import imagehash
import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from backend.evidence.imaging import process_image

if TYPE_CHECKING:
    from collections.abc import Callable

GOAL_MS = 100.0
RUNS = 15
SIZE = (4000, 3000)


def phone_photo(seed: int = 12) -> bytes:
    """A 4000×3000 JPEG at quality 90 with gradients, shapes, fine noise and phone EXIF."""
    w, h = SIZE
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack(
        [128 + 90 * np.sin(x / 310), 128 + 90 * np.cos(y / 270), 128 + 70 * np.sin((x + y) / 500)],
        axis=-1,
    )
    im = Image.fromarray(base.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x0, y0, side = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(40, 700))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.rectangle([x0, y0, x0 + side, y0 + side // 2], fill=colour)
        draw.ellipse([x0 - side // 2, y0, x0 + side // 3, y0 + side], fill=colour[::-1])
    im = im.filter(ImageFilter.GaussianBlur(0.8))
    noisy = np.asarray(im, dtype=np.int16) + rng.normal(0, 9, (h, w, 3)).astype(np.int16)
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "HUAWEI", "ELS-AN00"
    exif[ExifTags.Base.Orientation] = 1
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2025:06:03 14:22:07"
    sub[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (26.0, 34.0, 51.3)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (106.0, 42.0, 45.6)
    out = io.BytesIO()
    Image.fromarray(noisy.clip(0, 255).astype(np.uint8)).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def naive(data: bytes) -> tuple[bytes, bytes, str]:
    """Full decode, then the same outputs as ``process_image``."""
    with Image.open(io.BytesIO(data)) as im:
        upright = ImageOps.exif_transpose(im.convert("RGB"))
    display = upright.copy()
    display.thumbnail((1600, 1600))  # BICUBIC, as process_image uses
    thumb = upright.copy()
    thumb.thumbnail((320, 320))
    encoded = []
    for picture, quality in ((display, 85), (thumb, 80)):
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality)
        encoded.append(out.getvalue())
    return encoded[0], encoded[1], str(imagehash.phash(thumb))


def median_ms(fn: Callable[[bytes], object], data: bytes) -> float:
    fn(data)  # warm-up: plugin registration, first-call allocations
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn(data)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    data = phone_photo()
    ours = median_ms(process_image, data)
    baseline = median_ms(naive, data)
    verdict = "PASS" if ours <= GOAL_MS else "MISS"
    print(f"12 MP JPEG {SIZE[0]}×{SIZE[1]}, q90 + EXIF, {len(data) / 1e6:.1f} MB; {RUNS} runs each")
    print(f"process_image   median {ours:7.1f} ms")
    print(f"naive baseline  median {baseline:7.1f} ms  (full decode, resize, thumbnail)")
    print(f"speed-up        ×{baseline / ours:.1f}")
    print(f"goal ≤ {GOAL_MS:.0f} ms per photo on this {_cores()}-core machine: {verdict}")
    return 0 if verdict == "PASS" else 1


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
