"""What reaches the phone: the built PWA (precompressed) and compressed API answers."""

from __future__ import annotations

from backend.web.compression import compression_config
from backend.web.static import pwa_routes

__all__ = ["compression_config", "pwa_routes"]
