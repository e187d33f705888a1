"""What evidence stores: photos by content hash, and which records name them."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, DoublePrecision, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["Photo", "PhotoLink"]


class Photo(Table, tablename="evidence_photo"):
    """A stored photo, addressed by the SHA-256 of the bytes the phone uploaded.

    The original stays private under the media folder; only re-encoded copies without any
    metadata are ever served. Capture time and GPS come from EXIF or, for photos the phone
    downscaled (which drops EXIF), from what the phone read before downscaling.
    """

    id = UUID(primary_key=True)
    sha256 = Varchar(length=64, unique=True)
    uploaded_by = UUID(index=True)
    format = Varchar(length=8)
    width = Integer()
    height = Integer()
    size_bytes = Integer()
    captured_at = Timestamptz(null=True, default=None)
    gps_lat = DoublePrecision(null=True, default=None)
    gps_lon = DoublePrecision(null=True, default=None)
    gps_accuracy_m = DoublePrecision(null=True, default=None)
    phash = Varchar(length=16)
    created_at = Timestamptz()


class PhotoLink(Table, tablename="evidence_link"):
    """A record naming a photo. The photo may arrive before or after the record.

    ``phash_bits`` (the photo's perceptual hash as a signed 64-bit integer) and
    ``county_band0``…``county_band3`` (its 16-bit bands, each keyed by the county:
    ``near.county_band``) are filled once the photo is stored (null before): the county's
    near-duplicate index (``evidence/near.py``), one covering index per band on
    ``county_band_i`` with the hash and the record.
    """

    id = UUID(primary_key=True)
    sha256 = Varchar(length=64, index=True)
    record_kind = Varchar(length=30)
    record_id = UUID(index=True)
    owner_id = UUID(index=True)
    village_code = Varchar(length=12)
    county_code = Varchar(length=6, index=True)
    phash_bits = BigInt(null=True, default=None)
    county_band0 = BigInt(null=True, default=None)
    county_band1 = BigInt(null=True, default=None)
    county_band2 = BigInt(null=True, default=None)
    county_band3 = BigInt(null=True, default=None)
