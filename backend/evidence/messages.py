"""What evidence (photos) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Problems"]


class Problems(Catalogue):
    """Titles of the errors evidence raises, by code."""

    hash_mismatch = Message(
        "上传内容的 SHA-256 与地址不符，请重新上传",
        "The SHA-256 of the body does not match the address; upload again",
    )
    image_too_many_pixels = Message(
        "图片像素过多（上限 {max_pixels} 像素）",
        "The image has too many pixels (limit {max_pixels})",
    )
    image_unsupported = Message(
        "不支持的图片格式（支持 {allowed}）",
        "Unsupported image format (allowed: {allowed})",
    )
    image_corrupt = Message("图片已损坏或不完整", "The image is damaged or incomplete")
