"""Evidence rules over the database: storing photos, linking them to records, serving copies."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import anyio

from backend.core.canonical import loads
from backend.core.clock import utc_now
from backend.core.db import fetch, is_postgres, present, write_transaction
from backend.core.errors import (
    DomainError,
    FieldError,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from backend.core.events import Event
from backend.core.ids import new_id
from backend.core.rows import Json, row_as
from backend.core.uploads import SpooledBody
from backend.evidence import near
from backend.evidence.flags import Fix, PhotoFacts
from backend.evidence.imaging import (
    PHASH_NEAR,
    ImageRefused,
    ProcessedImage,
    process_image,
    sha256_hex,
)
from backend.evidence.schemas import PhotoOut
from backend.evidence.storage import MediaStore, Variant
from backend.evidence.tables import Photo, PhotoLink

if TYPE_CHECKING:
    from backend.core.scope import Actor, Scope
    from backend.core.settings import Settings

__all__ = [
    "ClientCapture",
    "LinkedRow",
    "NearPhoto",
    "PhotoRow",
    "evidence_changed",
    "link_records",
    "near_links",
    "photo_facts",
    "read_copy",
    "read_photo",
    "records_naming",
    "replace_links",
    "store_photo",
]

#: Called inside the writing transaction with the ids of records whose verification may have
#: changed: they name a photo just stored, or a photo near one just stored, linked or
#: unlinked (a reused photo flags both records, whatever order they arrived in). The
#: capabilities that flag records listen to it in their manifests (``capability.py``).
evidence_changed: Event[[list[uuid.UUID]]] = Event("evidence.changed")


async def _announce(record_ids: set[uuid.UUID]) -> None:
    if record_ids:
        await evidence_changed.emit(sorted(record_ids, key=str))


@dataclass(frozen=True)
class NearPhoto:
    """A photo linked to a record of the county, near a hash that was looked up."""

    record_id: uuid.UUID
    phash: str
    distance: int


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


class PhotoRow(TypedDict):
    """A ``Photo`` as ``Photo.select()`` returns it."""

    id: uuid.UUID
    sha256: str
    uploaded_by: uuid.UUID
    format: str
    width: int
    height: int
    size_bytes: int
    captured_at: dt.datetime | None
    gps_lat: float | None
    gps_lon: float | None
    gps_accuracy_m: float | None
    phash: str
    created_at: dt.datetime


def _out(row: PhotoRow) -> PhotoOut:
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
    actor: Actor,
    settings: Settings,
    sha256: str,
    upload: bytes | SpooledBody,
    claim: ClientCapture,
) -> tuple[bool, PhotoOut]:
    """Store a photo once. Returns (created, photo); a second PUT of the same bytes is a no-op.

    An upload streamed to a temporary file (core/uploads.py) is read into memory only to be
    processed, after its hash matched and only when new; the upload slots bound how many.
    """
    digest = upload.sha256 if isinstance(upload, SpooledBody) else sha256_hex(upload)
    if digest != sha256:
        raise ValidationFailed("hash_mismatch", errors=[FieldError("body", "hash_mismatch")])
    existing = row_as(PhotoRow, await Photo.select().where(Photo.sha256 == sha256).first())
    if existing:
        return False, _out(existing)
    body = upload.read() if isinstance(upload, SpooledBody) else upload
    try:
        image = await anyio.to_thread.run_sync(
            lambda: process_image(
                body, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
            )
        )
    except ImageRefused as exc:
        raise _refusal(exc) from None
    store = MediaStore(settings.media_dir)
    variants: tuple[tuple[Variant, bytes], ...] = (
        ("original", body),
        ("display", image.display_jpeg),
        ("thumb", image.thumb_jpeg),
    )
    for variant, data in variants:
        await anyio.to_thread.run_sync(store.write, sha256, variant, data)
    async with write_transaction(Photo._meta.db):
        done = (
            await Photo.insert(_photo_row(actor, image, len(body), claim))
            .on_conflict(target=Photo.sha256, action="DO NOTHING")
            .returning(Photo.id)
        )
        if done:
            await _photo_arrived(sha256, image.phash)
    row = present(row_as(PhotoRow, await Photo.select().where(Photo.sha256 == sha256).first()))
    return bool(done), _out(row)


def _index_values(phash: str | None, county_code: str) -> dict[str, Any]:
    """A link's near-duplicate index columns for its photo's hash (nulls before the photo)."""
    keys = near.county_bands(county_code, phash) if phash is not None else None
    if phash is None or keys is None:
        return {"phash_bits": None, **{f"county_band{i}": None for i in range(near.BANDS)}}
    return {"phash_bits": near.signed(phash), **{f"county_band{i}": k for i, k in enumerate(keys)}}


async def _photo_arrived(sha256: str, phash: str) -> None:
    """Index the links that waited for this photo; re-verify them and their neighbours."""
    links = await PhotoLink.select(PhotoLink.record_id, PhotoLink.county_code).where(
        PhotoLink.sha256 == sha256
    )
    touched = {r["record_id"] for r in links}
    for county in sorted({r["county_code"] for r in links}):
        values = _index_values(phash, county)
        await PhotoLink.update({getattr(PhotoLink, k): v for k, v in values.items()}).where(
            PhotoLink.sha256 == sha256, PhotoLink.county_code == county
        )
        for found in (await near_links(county, [phash])).get(phash, []):
            touched.add(found.record_id)
    await _announce(touched)


class LinkedRow(TypedDict):
    """What ``link_records`` reads of a synced record that names photos (a claim, a work log)."""

    id: uuid.UUID
    owner_id: uuid.UUID
    village_code: str
    county_code: str
    version: int
    evidence: Json


async def link_records(record_kind: str, rows: Sequence[LinkedRow]) -> None:
    """After a push: the photo links of these stored records (columns id, owner_id,
    village_code, county_code, evidence) become exactly the photos they name. A new record
    without photos has nothing to link."""
    await replace_links(record_kind, [
        (r["id"], r["owner_id"], r["village_code"], r["county_code"], loads(r["evidence"]) or [])
        for r in rows if loads(r["evidence"]) or r["version"] > 1
    ])


async def replace_links(
    record_kind: str,
    records: list[tuple[uuid.UUID, uuid.UUID, str, str, list[str]]],
) -> None:
    """Make each record's links exactly the hashes it names, and keep the near-duplicate index.

    ``records`` are (record id, owner, village, county, hashes); runs in the caller's
    transaction. Records of the county whose photos are near a photo linked or unlinked here
    are announced for re-verification (the records passed in are the caller's to verify).
    """
    if not records:
        return
    ids = [r[0] for r in records]
    before = await PhotoLink.select(PhotoLink.county_code, PhotoLink.phash_bits).where(
        PhotoLink.record_kind == record_kind,
        PhotoLink.record_id.is_in(ids),
        PhotoLink.phash_bits.is_not_null(),
    )
    await PhotoLink.delete().where(
        PhotoLink.record_kind == record_kind, PhotoLink.record_id.is_in(ids)
    )
    named = sorted({h for *_, hashes in records for h in hashes})
    known = {
        r["sha256"]: r["phash"]
        for r in await Photo.select(Photo.sha256, Photo.phash).where(
            Photo.sha256.is_in(named or [""])
        )
    }
    links = [
        PhotoLink(
            id=new_id(),
            sha256=h,
            record_kind=record_kind,
            record_id=record_id,
            owner_id=owner,
            village_code=village,
            county_code=county,
            **_index_values(known.get(h), county),
        )
        for record_id, owner, village, county, hashes in records
        for h in dict.fromkeys(hashes)
    ]
    if links:
        await PhotoLink.insert(*links)
    changed: dict[str, set[str]] = {}
    for row in before:
        changed.setdefault(row["county_code"], set()).add(near.unsigned_hex(row["phash_bits"]))
    for link in links:
        if link.phash_bits is not None:
            changed.setdefault(link.county_code, set()).add(near.unsigned_hex(link.phash_bits))
    touched: set[uuid.UUID] = set()
    for county, hashes in changed.items():
        for found in (await near_links(county, sorted(hashes))).values():
            touched |= {f.record_id for f in found}
    await _announce(touched - set(ids))


async def near_links(
    county_code: str, phashes: list[str], threshold: int = PHASH_NEAR
) -> dict[str, list[NearPhoto]]:
    """For each hash, the photos linked to records of the county within ``threshold`` bits.

    One statement per hash: four index-only lookups of the county's band keys within reach
    (``evidence/near.py``); PostgreSQL drops the candidates farther than ``threshold`` inside
    the scan, and every candidate is verified here by its Hamming distance, so the answer is
    exactly what comparing with every photo of the county would give. Runs in the caller's
    transaction (it sees the links just written).
    """
    engine = PhotoLink._meta.db
    postgres = is_postgres(engine)
    out: dict[str, list[NearPhoto]] = {}
    for h in dict.fromkeys(phashes):
        bits = near.signed(h)
        if bits is None:
            continue
        sql, args = _near_sql(near.county_probes(county_code, h, threshold), bits, threshold,
                              postgres)
        rows = await fetch(engine, sql, *args)
        found: dict[tuple[uuid.UUID, int], NearPhoto] = {}
        for row in rows:
            other = near.unsigned_hex(row["phash_bits"])
            distance = near.within(h, other, threshold)
            if distance is not None:
                record_id = _as_uuid(row["record_id"])
                found[(record_id, row["phash_bits"])] = NearPhoto(record_id, other, distance)
        out[h] = list(found.values())
    return out


def _near_sql(
    probes: list[list[int]], bits: int, threshold: int, postgres: bool
) -> tuple[str, list[Any]]:
    """The lookup of one hash: a ``UNION ALL`` of one index-only scan per searched band.

    ``probes`` are the county's band keys within reach (``near.county_probes``): the county
    is in every key, so nothing of another county can match. PostgreSQL gets the keys as
    arrays (one statement text, so its plan is cached) and drops candidates beyond
    ``threshold`` inside the scan; SQLite gets them inline (they are integers computed here,
    so nothing can be injected) and every candidate is verified by the caller.
    """
    parts, args = [], []
    for band, keys in enumerate(probes):
        if not keys:
            continue
        head = f"SELECT record_id, phash_bits FROM evidence_link WHERE county_band{band} "
        if postgres:
            parts.append(
                head + "= ANY({}::bigint[]) AND bit_count(int8send(phash_bits # {}::bigint)) <= {}"
            )
            args += [keys, bits, threshold]
        else:
            parts.append(head + f"IN ({','.join(map(str, keys))})")
    return " UNION ALL ".join(parts), args


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


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


async def _visible_photo(scope: Scope, sha256: str) -> PhotoRow:
    """The photo row, if the caller uploaded it or may see a record that names it."""
    row = row_as(PhotoRow, await Photo.select().where(Photo.sha256 == sha256).first())
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
