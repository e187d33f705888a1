"""VAPID (RFC 8292): the server's P-256 key pair that signs every push, and browser key checks."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

if TYPE_CHECKING:
    from py_vapid import Vapid02

    from backend.core.settings import Settings

__all__ = [
    "PushNotConfigured",
    "b64url",
    "b64url_decode",
    "generate_key_pair",
    "load_private_key",
    "public_key_b64",
    "signer",
]


class PushNotConfigured(RuntimeError):
    """The VAPID keys are missing, unreadable or do not belong together."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Base64url with or without padding (browsers send it without)."""
    text = text.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def load_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM (SEC 1 or PKCS 8), or the raw 32-byte scalar in base64url."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) != 32:
                key = serialization.load_der_private_key(raw, password=None)
            else:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a readable private key ({type(exc).__name__})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("a VAPID key is an EC P-256 key")
    return key


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key as the browser takes it: the uncompressed point, base64url."""
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def generate_key_pair() -> tuple[str, str]:
    """A new (private, public) pair, both base64url: the raw scalar and the uncompressed point."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big")), public_key_b64(key)


def signer(settings: Settings) -> Vapid02:
    """The VAPID signer for ``settings``; refuses a missing key or a public key of another pair
    (every push would then be refused by the push services)."""
    from py_vapid import Vapid02

    if settings.vapid_private_key is None or settings.vapid_public_key is None:
        raise PushNotConfigured(
            "Web Push is not configured: set ZHUCUN_VAPID_PRIVATE_KEY and ZHUCUN_VAPID_PUBLIC_KEY "
            "(`zhucun vapid` makes a pair)"
        )
    try:
        key = load_private_key(settings.vapid_private_key.get_secret_value())
    except ValueError as exc:
        raise PushNotConfigured(f"ZHUCUN_VAPID_PRIVATE_KEY is unreadable: {exc}") from None
    if public_key_b64(key) != settings.vapid_public_key.strip().rstrip("="):
        raise PushNotConfigured("ZHUCUN_VAPID_PUBLIC_KEY does not belong to the private key")
    return Vapid02(key)
