"""证据照片处理: checks, metadata, orientation, stripped copies, perceptual hash, refusals."""

from __future__ import annotations

import hashlib
import io
import struct
import time
import tracemalloc
import warnings
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.JpegImagePlugin import JpegImageFile
from PIL.TiffImagePlugin import IFDRational

from backend.evidence.imaging import (
    PHASH_NEAR,
    GpsFix,
    ImageRefused,
    ProcessedImage,
    hamming,
    process_image,
    sha256_hex,
)
from tests.images import encode, make_exif, png_header_only, scene

RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 30)


# --- fixtures: natural-looking pictures and files ---------------------------------------


def jpeg_segments(data: bytes) -> list[int]:
    """Marker bytes of a JPEG's header segments, up to the start of scan."""
    markers, pos = [], 2
    while pos < len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def open_bytes(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def mean_rgb(im: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    return np.asarray(im.convert("RGB").crop(box), dtype=np.float64).reshape(-1, 3).mean(axis=0)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return scene(1)


@pytest.fixture(scope="module")
def photo_jpeg(photo: Image.Image) -> bytes:
    return encode(photo, quality=90)


@pytest.fixture(scope="module")
def large_jpeg() -> bytes:
    """3400 × 2000, upscaled from a small scene to keep the test quick."""
    return encode(scene(7, (850, 500)).resize((3400, 2000), Image.Resampling.BICUBIC), quality=90)


# --- metadata ----------------------------------------------------------------------------


def test_gps_and_capture_time_with_offset(photo: Image.Image) -> None:
    exif = make_exif(
        taken="2025:06:03 14:22:07",
        offset="+05:30",
        lat=("N", (26, 34, 51.3)),
        lon=("E", (106, 42, 45.6)),
        accuracy=4.5,
    )
    result = process_image(encode(photo, exif=exif))

    assert result.captured_at == datetime(2025, 6, 3, 8, 52, 7, tzinfo=UTC)
    assert result.captured_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert result.gps is not None
    lat, lon, accuracy = result.gps
    assert lat == pytest.approx(26 + 34 / 60 + 51.3 / 3600, abs=1e-9)
    assert lon == pytest.approx(106 + 42 / 60 + 45.6 / 3600, abs=1e-9)
    assert accuracy == pytest.approx(4.5)


def test_capture_time_without_offset_is_beijing_time(photo: Image.Image) -> None:
    result = process_image(encode(photo, exif=make_exif(taken="2025:01:20 23:30:00")))

    assert result.captured_at is not None
    assert result.captured_at.utcoffset() == timedelta(hours=8)
    assert result.captured_at == datetime(2025, 1, 20, 15, 30, tzinfo=UTC)


def test_negative_offset_is_respected(photo: Image.Image) -> None:
    exif = make_exif(taken="2024:12:31 22:00:00", offset="-03:00")
    result = process_image(encode(photo, exif=exif))

    assert result.captured_at == datetime(2024, 12, 31, 22, tzinfo=timezone(timedelta(hours=-3)))
    assert result.captured_at == datetime(2025, 1, 1, 1, tzinfo=UTC)


def test_southern_and_western_hemispheres_are_negative(photo: Image.Image) -> None:
    exif = make_exif(lat=("S", (33, 52, 4.0)), lon=("W", (70, 40, 12.0)))
    result = process_image(encode(photo, exif=exif))

    assert result.gps == GpsFix(
        pytest.approx(-(33 + 52 / 60 + 4 / 3600)), pytest.approx(-(70 + 40 / 60 + 12 / 3600)), None
    )


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (("N", (95, 0, 0)), ("E", (106, 0, 0))),  # latitude beyond the pole
        (("N", (26, 0, 0)), ("E", (190, 0, 0))),  # longitude beyond the antimeridian
        (("N", (26, 75, 0)), ("E", (106, 0, 0))),  # 75 minutes
        (("X", (26, 0, 0)), ("E", (106, 0, 0))),  # no valid hemisphere
    ],
)
def test_nonsense_gps_is_dropped(photo: Image.Image, lat: tuple, lon: tuple) -> None:
    result = process_image(
        encode(photo, exif=make_exif(lat=lat, lon=lon, taken="2025:06:03 10:00:00"))
    )

    assert result.gps is None
    assert result.captured_at is not None  # the rest of the metadata still counts


def test_no_metadata_and_placeholder_dates(photo: Image.Image, photo_jpeg: bytes) -> None:
    bare = process_image(photo_jpeg)
    zeroed = process_image(encode(photo, exif=make_exif(taken="0000:00:00 00:00:00")))

    assert (bare.captured_at, bare.gps) == (None, None)
    assert zeroed.captured_at is None


def test_malformed_exif_costs_metadata_not_the_photo(photo: Image.Image) -> None:
    garbage = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + bytes(range(256)) * 4
    zero_denominator = make_exif(lat=("N", (26, 0, 0)), lon=("E", (106, 0, 0)))
    gps = zero_denominator.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(26, 0), IFDRational(0), IFDRational(0))

    with pytest.warns(UserWarning, match="Corrupt EXIF"):
        broken = process_image(encode(photo, exif=garbage))
    undefined = process_image(encode(photo, exif=zero_denominator))

    for result in (broken, undefined):
        assert (result.width, result.height) == (640, 480)
        assert result.gps is None
        assert result.captured_at is None


# --- orientation and what we serve ---------------------------------------------------------


def test_orientation_6_is_applied() -> None:
    # Stored landscape: red left half, blue right half, a green square at the top-left.
    stored = Image.new("RGB", (400, 300), RED)
    stored.paste(BLUE, (200, 0, 400, 300))
    stored.paste(GREEN, (0, 0, 60, 60))
    result = process_image(encode(stored, quality=95, exif=make_exif(orientation=6)))
    display = open_bytes(result.display_jpeg)

    # Orientation 6: turn 90° clockwise to view; left half goes to the top.
    assert (result.width, result.height) == (300, 400)
    assert display.size == (300, 400)
    assert np.allclose(mean_rgb(display, (0, 80, 300, 180)), RED, atol=12)
    assert np.allclose(mean_rgb(display, (0, 220, 300, 380)), BLUE, atol=12)
    assert np.allclose(mean_rgb(display, (250, 5, 295, 50)), GREEN, atol=12)
    assert open_bytes(result.thumb_jpeg).size == (240, 320)


def test_served_images_carry_no_metadata(photo: Image.Image) -> None:
    exif = make_exif(
        taken="2025:06:03 14:22:07", lat=("N", (26, 34, 51.3)), lon=("E", (106, 42, 45.6))
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(photo, exif=exif, icc_profile=icc, comment=b"cadre 42", xmp=b"<x:xmpmeta/>")
    assert {"exif", "icc_profile", "comment", "xmp"} <= open_bytes(data).info.keys()

    result = process_image(data)

    assert result.gps is not None
    for served in (result.display_jpeg, result.thumb_jpeg):
        im = open_bytes(served)
        assert im.format == "JPEG"
        assert im.mode == "RGB"
        assert len(im.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp", "comment"} & im.info.keys()
        # Only SOI, JFIF APP0, tables and frame headers: no APPn ≥ 1 and no COM segment.
        markers = jpeg_segments(served)
        assert not [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE]
        assert b"Exif" not in served
        assert b"cadre 42" not in served
    # The sRGB profile is baked into the pixels: colours survive the round trip.
    assert np.allclose(
        mean_rgb(open_bytes(result.display_jpeg), (0, 0, 640, 480)),
        mean_rgb(photo, (0, 0, 640, 480)),
        atol=3,
    )


def swapped_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are swapped (so the effect is visible)."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack(">I", icc[128:132])
    entry = {bytes(icc[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    r, b = entry[b"rXYZ"], entry[b"bXYZ"]
    icc[r + 4 : r + 12], icc[b + 4 : b + 12] = icc[b + 4 : b + 12], icc[r + 4 : r + 12]
    return bytes(icc).replace("sRGB".encode("utf-16-be"), "swap".encode("utf-16-be"))


def test_colour_profile_is_baked_in_before_it_is_dropped() -> None:
    data = encode(Image.new("RGB", (64, 48), RED), quality=95, icc_profile=swapped_profile())

    display = open_bytes(process_image(data).display_jpeg)

    assert "icc_profile" not in display.info
    assert np.allclose(mean_rgb(display, (0, 0, 64, 48)), BLUE, atol=12)


def test_large_jpeg_is_downscaled_and_small_one_kept(large_jpeg: bytes) -> None:
    big = process_image(large_jpeg)
    small = process_image(encode(scene(8, (500, 375)), quality=90))

    assert (big.width, big.height) == (3400, 2000)
    assert open_bytes(big.display_jpeg).size == (1600, 941)
    assert open_bytes(big.thumb_jpeg).size == (320, 188)
    assert open_bytes(small.display_jpeg).size == (500, 375)
    assert open_bytes(small.thumb_jpeg).size == (320, 240)


def test_large_jpeg_is_decoded_at_reduced_scale(
    large_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[tuple[int, int]] = []
    draft = JpegImageFile.draft

    def spy(self: JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> object:
        result = draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    result = process_image(large_jpeg)

    # Smallest DCT scale (1/2) that still covers 1600 px; the display is then exact.
    assert decoded == [(1700, 1000)]
    assert (result.width, result.height) == (3400, 2000)
    assert open_bytes(result.display_jpeg).size == (1600, 941)


def test_custom_sizes(photo_jpeg: bytes) -> None:
    result = process_image(photo_jpeg, display_max_px=400, thumb_px=100)

    assert open_bytes(result.display_jpeg).size == (400, 300)
    assert open_bytes(result.thumb_jpeg).size == (100, 75)


def test_identity(photo_jpeg: bytes) -> None:
    result = process_image(photo_jpeg)

    assert result.sha256 == hashlib.sha256(photo_jpeg).hexdigest() == sha256_hex(photo_jpeg)
    assert result.format == "JPEG"
    assert (result.width, result.height) == (640, 480)
    assert len(result.phash) == 16
    int(result.phash, 16)
    assert "display_jpeg" not in repr(result)


# --- perceptual hash -------------------------------------------------------------------------


def test_hamming() -> None:
    assert hamming("0" * 16, "f" * 16) == 64
    assert hamming("00000000000000a0", "0000000000000020") == 1
    assert hamming("8f3a000000000000", "8f3a000000000000") == 0
    with pytest.raises(ValueError):
        hamming("00", "000")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_resized_recompressed_copy_is_near(seed: int) -> None:
    original = scene(seed, (1200, 900))
    copy = original.resize((600, 450), Image.Resampling.BILINEAR)
    a = process_image(encode(original, quality=92))
    b = process_image(encode(copy, quality=60))

    assert hamming(a.phash, b.phash) <= PHASH_NEAR
    assert a.sha256 != b.sha256


def test_unrelated_photos_are_far() -> None:
    hashes = [process_image(encode(scene(seed), quality=90)).phash for seed in range(10, 18)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]

    assert min(distances) > PHASH_NEAR


def test_phash_sees_through_orientation(photo: Image.Image) -> None:
    # A phone's sideways file and an already-upright export of it are the same evidence.
    sideways = photo.transpose(Image.Transpose.ROTATE_90)
    a = process_image(encode(sideways, exif=make_exif(orientation=6)))
    b = process_image(encode(photo))

    assert hamming(a.phash, b.phash) <= PHASH_NEAR


# --- formats and modes -------------------------------------------------------------------------


def test_png_with_alpha_goes_onto_white() -> None:
    rgba = Image.new("RGBA", (200, 100), (*BLUE, 255))
    rgba.paste((0, 0, 0, 0), (100, 0, 200, 100))
    result = process_image(encode(rgba, "PNG"))
    display = open_bytes(result.display_jpeg)

    assert result.format == "PNG"
    assert display.mode == "RGB"
    assert np.allclose(mean_rgb(display, (10, 10, 90, 90)), BLUE, atol=6)
    assert np.allclose(mean_rgb(display, (110, 10, 190, 90)), (255, 255, 255), atol=3)


def test_palette_png_with_transparency_and_grey_alpha() -> None:
    palette = Image.new("P", (64, 64), 0)
    palette.putpalette([0, 0, 0, *GREEN] + [0] * 762)
    palette.paste(1, (0, 0, 32, 64))
    palette_data = encode(palette, "PNG", transparency=0)
    grey_alpha = Image.new("LA", (64, 64), (40, 0))

    a = open_bytes(process_image(palette_data).display_jpeg)
    b = open_bytes(process_image(encode(grey_alpha, "PNG")).display_jpeg)

    assert np.allclose(mean_rgb(a, (4, 4, 28, 60)), GREEN, atol=6)
    assert np.allclose(mean_rgb(a, (36, 4, 60, 60)), (255, 255, 255), atol=3)
    assert np.allclose(mean_rgb(b, (0, 0, 64, 64)), (255, 255, 255), atol=3)


def test_sixteen_bit_grey_png_is_scaled_not_clipped() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256, dtype=np.uint16), (64, 1))
    data = encode(Image.fromarray(ramp), "PNG")
    assert open_bytes(data).mode.startswith("I;16")

    display = open_bytes(process_image(data).display_jpeg)
    row = np.asarray(display.convert("L"), dtype=np.float64)[32]

    assert row[0] < 10
    assert 110 < row[128] < 145
    assert row[-1] > 245


def test_cmyk_jpeg_becomes_rgb(photo: Image.Image) -> None:
    result = process_image(encode(photo.convert("CMYK"), quality=92))
    display = open_bytes(result.display_jpeg)

    assert display.mode == "RGB"
    assert np.allclose(
        mean_rgb(display, (0, 0, 640, 480)), mean_rgb(photo, (0, 0, 640, 480)), atol=8
    )


def test_webp(photo: Image.Image) -> None:
    exif = make_exif(taken="2025:06:03 14:22:07", offset="+08:00")
    data = encode(photo, "WEBP", quality=80, exif=exif)
    result = process_image(data)

    assert result.format == "WEBP"
    assert (result.width, result.height) == (640, 480)
    assert result.captured_at == datetime(2025, 6, 3, 6, 22, 7, tzinfo=UTC)
    assert hamming(result.phash, process_image(encode(photo, quality=90)).phash) <= PHASH_NEAR


def test_mpo_from_a_phone_is_a_jpeg(photo: Image.Image) -> None:
    data = encode(photo, "MPO", save_all=True, append_images=[scene(2)])
    assert open_bytes(data).format == "MPO"

    result = process_image(data)

    assert result.format == "JPEG"
    assert hamming(result.phash, process_image(encode(photo)).phash) <= PHASH_NEAR


# --- refusals ------------------------------------------------------------------------------------


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def refusal(data: bytes, **limits: int) -> ImageRefused:
    with pytest.raises(ImageRefused) as caught:
        process_image(data, **limits)
    return caught.value


@pytest.mark.usefixtures("no_decoding")
def test_huge_png_is_refused_from_its_header() -> None:
    data = png_header_only(60_000, 60_000)
    assert len(data) < 200

    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = refusal(data)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.code == "too_many_pixels"
    assert error.params == {"max_pixels": 40_000_000}
    assert elapsed < 0.5
    assert peak < 50 * 1024 * 1024


@pytest.mark.usefixtures("no_decoding")
def test_pixel_limit_applies_below_pillows_own() -> None:
    just_over = png_header_only(8000, 5001)
    assert Image.MAX_IMAGE_PIXELS > 8000 * 5001

    assert refusal(just_over).code == "too_many_pixels"
    assert refusal(png_header_only(400, 300), max_pixels=100_000).params == {"max_pixels": 100_000}


@pytest.mark.usefixtures("no_decoding")
@pytest.mark.parametrize(
    "action",
    [
        pytest.param("ignore", id="warning-ignored"),
        pytest.param("error", id="warning-as-error"),
    ],
)
def test_pixel_limit_never_exceeds_pillows_bomb_threshold(action: str) -> None:
    assert Image.MAX_IMAGE_PIXELS is not None
    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)  # inside Pillow's warning band

    with warnings.catch_warnings():
        warnings.simplefilter(action, Image.DecompressionBombWarning)  # type: ignore[arg-type]
        error = refusal(png_header_only(side, side), max_pixels=10**10)

    assert error.code == "too_many_pixels"
    assert error.params == {"max_pixels": Image.MAX_IMAGE_PIXELS}


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_truncated_jpeg_is_corrupt(photo_jpeg: bytes, keep: float) -> None:
    error = refusal(photo_jpeg[: int(len(photo_jpeg) * keep)])

    assert error.code == "corrupt"
    assert error.params == {}


def test_truncated_png_is_corrupt(photo: Image.Image) -> None:
    data = encode(photo, "PNG")

    assert refusal(data[: len(data) // 2]).code == "corrupt"


def test_jpeg_with_only_a_header_is_corrupt(photo_jpeg: bytes) -> None:
    assert refusal(photo_jpeg[:40]).code == "corrupt"


def test_text_named_jpg_is_unsupported() -> None:
    error = refusal("村委会会议记录\nminutes of the village committee\n".encode() * 20)

    assert error.code == "unsupported_format"
    assert error.params == {"allowed": "JPEG, PNG, WEBP"}


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_unsupported(photo: Image.Image, fmt: str) -> None:
    assert refusal(encode(photo, fmt)).code == "unsupported_format"


def test_body_over_max_bytes_is_refused_before_parsing(photo_jpeg: bytes) -> None:
    oversized = b"\xff\xd8\xff" + bytes(10 * 1024 * 1024)
    error = refusal(oversized)
    small_limit = refusal(photo_jpeg, max_bytes=1000)

    assert error.code == "too_large"
    assert error.params == {"size": len(oversized), "max_bytes": 10 * 1024 * 1024}
    assert small_limit.params == {"size": len(photo_jpeg), "max_bytes": 1000}
    assert "1000" in str(small_limit)


def test_truncated_loading_must_stay_off(
    photo_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_image(photo_jpeg[: len(photo_jpeg) // 2])


def test_processed_image_is_frozen(photo_jpeg: bytes) -> None:
    result = process_image(photo_jpeg)

    assert isinstance(result, ProcessedImage)
    with pytest.raises(AttributeError):
        result.width = 1  # type: ignore[misc]
