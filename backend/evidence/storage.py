"""Photo files under the media folder: the private original and the two served copies."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

__all__ = ["MediaStore", "Variant"]

Variant = Literal["original", "display", "thumb"]


class MediaStore:
    """Files sharded by the first two hex digits of their hash; writes are atomic renames."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, variant: Variant) -> Path:
        suffix = "" if variant == "original" else ".jpg"
        return self.root / variant / sha256[:2] / f"{sha256}{suffix}"

    def write(self, sha256: str, variant: Variant, data: bytes) -> None:
        target = self.path(sha256, variant)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, sha256: str, variant: Variant) -> bytes | None:
        try:
            return self.path(sha256, variant).read_bytes()
        except FileNotFoundError:
            return None
