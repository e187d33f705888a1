"""Evidence rules over the database: storing photos, linking them to records, serving copies."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio

from backend.core.clock import utc_now
from backend.core.db import fetch, write_transaction
from backend.core.errors import (
    DomainError,
    FieldError,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from backend.core.ids import new_id
from backend.evidence.flags import Fix, PhotoFacts
from backend.evidence.imaging import ImageRefused, ProcessedImage, process_image, sha256_hex
from backend.evidence.schemas import PhotoOut
from backend.evidence.storage import MediaStore, Variant
from backend.evidence.tables import Photo, PhotoLink

if TYPE_CHECKING:
    from backend.core.scope import Actor, Scope
    from backend.core.settings import Settings

__all__ = [
    "ClientCapture",
    "on_photo_stored",
    "photo_facts",
    "read_copy",
    "read_photo",
    "records_naming",
    "replace_links",
    "reuse_candidates",
    "store_photo",
]

#: Called inside the storing transaction with the hash of a newly stored photo, so that the
#: capabilities whose records name it can re-verify them (registered at import time).
_listeners: list[Callable[[str], Awaitable[None]]] = []


def on_photo_stored(listener: Callable[[str], Awaitable[None]]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


@dataclass(frozen=True)
class ClientCapture:
    """What the phone read from the photo before downscaling it (which drops EXIF)."""

    captured_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None


def _refusal(exc: ImageRefused) -> DomainError:
    if exc.code == "too_large":
        return PayloadTooLarge(limit=f"{exc.params.get('max_bytes', 0) // (1024 * 1024)} MB")
    code = {
        "too_many_pixels": "image_too_many_pixels",
        "unsupported_format": "image_unsupported",
        "corrupt": "image_corrupt",
    }[exc.code]
    error = ValidationFailed(
        code, errors=[FieldError("body", code, dict(exc.params))], **exc.params
    )
    if exc.code == "unsupported_format":
        error.status = 415
    return error


def _out(row: dict[str, Any]) -> PhotoOut:
    sha = row["sha256"]
    return PhotoOut(
        sha256=sha,
        width=row["width"],
        height=row["height"],
        captured_at=row["captured_at"],
        has_location=row["gps_lat"] is not None,
        thumb_url=f"/api/evidence/{sha}/thumb",
        display_url=f"/api/evidence/{sha}/display",
    )


def _photo_row(actor: Actor, image: ProcessedImage, size: int, claim: ClientCapture) -> Photo:
    gps = image.gps
    use_claim = gps is None and claim.lat is not None and claim.lon is not None
    return Photo(
        id=new_id(),
        sha256=image.sha256,
        uploaded_by=actor.user_id,
        format=image.format,
        width=image.width,
        height=image.height,
        size_bytes=size,
        captured_at=image.captured_at or claim.captured_at,
        gps_lat=gps.lat if gps else (claim.lat if use_claim else None),
        gps_lon=gps.lon if gps else (claim.lon if use_claim else None),
        gps_accuracy_m=gps.accuracy_m if gps else (claim.accuracy_m if use_claim else None),
        phash=image.phash,
        created_at=utc_now(),
    )


async def store_photo(
    actor: Actor, settings: Settings, sha256: str, body: bytes, claim: ClientCapture
) -> tuple[bool, PhotoOut]:
    """Store a photo once. Returns (created, photo); a second PUT of the same bytes is a no-op."""
    if sha256_hex(body) != sha256:
        raise ValidationFailed("hash_mismatch", errors=[FieldError("body", "hash_mismatch")])
    existing = await Photo.select().where(Photo.sha256 == sha256).first()
    if existing:
        return False, _out(existing)
    try:
        image = await anyio.to_thread.run_sync(
            lambda: process_image(
                body, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
            )
        )
    except ImageRefused as exc:
        raise _refusal(exc) from None
    store = MediaStore(settings.media_dir)
    for variant, data in (
        ("original", body),
        ("display", image.display_jpeg),
        ("thumb", image.thumb_jpeg),
    ):
        await anyio.to_thread.run_sync(store.write, sha256, variant, data)
    async with write_transaction(Photo._meta.db):
        done = (
            await Photo.insert(_photo_row(actor, image, len(body), claim))
            .on_conflict(target=Photo.sha256, action="DO NOTHING")
            .returning(Photo.id)
        )
        if done:
            for listener in _listeners:
                await listener(sha256)
    row = await Photo.select().where(Photo.sha256 == sha256).first()
    return bool(done), _out(row)


async def replace_links(
    record_kind: str,
    records: list[tuple[uuid.UUID, uuid.UUID, str, str, list[str]]],
) -> None:
    """Make each record's links exactly the hashes it names, in two statements.

    ``records`` are (record id, owner, village, county, hashes); runs in the caller's
    transaction.
    """
    if not records:
        return
    await PhotoLink.delete().where(
        PhotoLink.record_kind == record_kind, PhotoLink.record_id.is_in([r[0] for r in records])
    )
    links = [
        PhotoLink(
            id=new_id(),
            sha256=h,
            record_kind=record_kind,
            record_id=record_id,
            owner_id=owner,
            village_code=village,
            county_code=county,
        )
        for record_id, owner, village, county, hashes in records
        for h in dict.fromkeys(hashes)
    ]
    if links:
        await PhotoLink.insert(*links)


async def records_naming(sha256: str, record_kind: str) -> list[uuid.UUID]:
    rows = await PhotoLink.select(PhotoLink.record_id).where(
        PhotoLink.sha256 == sha256, PhotoLink.record_kind == record_kind
    )
    return [r["record_id"] for r in rows]


async def photo_facts(hashes: list[str]) -> list[PhotoFacts]:
    """What verification needs of the stored photos among ``hashes`` (missing ones skipped)."""
    if not hashes:
        return []
    rows = await Photo.select().where(Photo.sha256.is_in(hashes))
    return [
        PhotoFacts(
            sha256=r["sha256"],
            captured_at=r["captured_at"],
            phash=r["phash"],
            gps=Fix(r["gps_lat"], r["gps_lon"], r["gps_accuracy_m"], r["captured_at"])
            if r["gps_lat"] is not None
            else None,
        )
        for r in sorted(rows, key=lambda r: hashes.index(r["sha256"]))
    ]


async def reuse_candidates(county_code: str) -> list[tuple[str, str]]:
    """(record id, phash) of every photo attached to a record of the county."""
    rows = await fetch(
        Photo._meta.db,
        "SELECT l.record_id AS record_id, p.phash AS phash FROM evidence_link l "
        "JOIN evidence_photo p ON p.sha256 = l.sha256 "
        "WHERE l.county_code = {}",
        county_code,
    )
    return [(str(r["record_id"]), r["phash"]) for r in rows]


async def _visible_photo(scope: Scope, sha256: str) -> dict[str, Any]:
    """The photo row, if the caller uploaded it or may see a record that names it."""
    row = await Photo.select().where(Photo.sha256 == sha256).first()
    if row is None:
        raise NotFound()
    if row["uploaded_by"] != scope.user_id:
        links = await PhotoLink.select().where(PhotoLink.sha256 == sha256)
        if not any(
            scope.sees_record(
                link["owner_id"],
                link["village_code"],
                link["county_code"],
                finance=link["record_kind"].endswith("claim"),
            )
            for link in links
        ):
            raise NotFound()
    return row


async def read_photo(scope: Scope, sha256: str) -> PhotoOut:
    return _out(await _visible_photo(scope, sha256))


async def read_copy(scope: Scope, settings: Settings, sha256: str, variant: Variant) -> bytes:
    """A served copy (never the original) for whoever may see a record naming the photo."""
    await _visible_photo(scope, sha256)
    data = MediaStore(settings.media_dir).read(sha256, variant)
    if data is None:
        raise NotFound()
    return data
