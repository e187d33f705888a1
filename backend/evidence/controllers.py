"""HTTP for evidence: content-addressed photo upload and metadata-free copies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter

from backend.core.errors import FieldError, ValidationFailed
from backend.core.scope import Actor
from backend.core.settings import Settings
from backend.core.uploads import UploadSlots, spool_body
from backend.evidence import services
from backend.evidence.schemas import PhotoOut

__all__ = ["EvidenceController"]


def _capture(captured_at: str | None, location: str | None) -> services.ClientCapture:
    """Parse the optional X-Captured-At and X-Capture-Location ("lat,lon[,accuracy]") headers."""
    errors = []
    when = None
    if captured_at:
        try:
            when = dt.datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
            if when.tzinfo is None:
                raise ValueError
        except ValueError:
            errors.append(FieldError("X-Captured-At", "not_datetime"))
    lat = lon = acc = None
    if location:
        try:
            parts = [float(p) for p in location.split(",")]
            lat, lon = parts[0], parts[1]
            acc = parts[2] if len(parts) > 2 else None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (acc is not None and acc < 0):
                raise ValueError
        except (ValueError, IndexError):
            errors.append(FieldError("X-Capture-Location", "invalid"))
    if errors:
        raise ValidationFailed(errors=errors)
    return services.ClientCapture(when, lat, lon, acc)


class EvidenceController(Controller):
    path = "/api/evidence"
    tags = ["evidence 佐证照片"]

    @put("/{sha256:str}", status_code=201)
    async def upload(
        self,
        sha256: FromPath[str],
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        settings: NamedDependency[Settings],
        x_captured_at: Annotated[str | None, HeaderParameter(name="X-Captured-At")] = None,
        x_capture_location: Annotated[
            str | None, HeaderParameter(name="X-Capture-Location")
        ] = None,
    ) -> Response[PhotoOut]:
        """Store a photo (JPEG, PNG or WebP; the body is the image bytes).

        The address is the SHA-256 of the body: 201 when stored, 200 when it already was.
        A phone that downscaled the photo (dropping EXIF) may send what it read before in
        ``X-Captured-At`` (ISO 8601) and ``X-Capture-Location`` (``lat,lon[,accuracy_m]``).
        """
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValidationFailed(errors=[FieldError("sha256", "invalid")])
        claim = _capture(x_captured_at, x_capture_location)
        slots: UploadSlots = request.app.state.upload_slots
        with slots.take():  # 503 with Retry-After past the process's cap
            body = await spool_body(
                request,
                max_bytes=settings.max_image_bytes,
                idle_seconds=settings.body_idle_seconds,
            )
            try:
                created, photo = await services.store_photo(actor, settings, sha256, body, claim)
            finally:
                body.close()
        return Response(photo, status_code=201 if created else 200)

    @get("/{sha256:str}")
    async def read(self, sha256: FromPath[str], actor: NamedDependency[Actor]) -> PhotoOut:
        return await services.read_photo(actor.scope, sha256)

    @get("/{sha256:str}/{variant:str}", media_type="image/jpeg")
    async def copy(
        self,
        sha256: FromPath[str],
        variant: FromPath[Literal["thumb", "display"]],
        actor: NamedDependency[Actor],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        """A re-encoded copy with no metadata at all (no EXIF, no GPS)."""
        data = await services.read_copy(actor.scope, settings, sha256, variant)
        return Response(
            data,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=86400, immutable"},
        )
