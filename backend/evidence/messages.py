"""What evidence (photos) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Flags", "Problems", "Units"]


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


class Flags(Catalogue):
    """The details of verification flags (a flag's ``detail`` is ``"中文 / English"``)."""

    outside_fence = Message(
        "定位在村界外约 {distance_zh}（{accuracy_zh}）",
        "Fix {distance_en} outside the village boundary ({accuracy_en})",
    )
    zero_accuracy = Message(
        "定位精度为 0 米，模拟定位软件常这样报告",
        "Accuracy reported as exactly 0 m, as mock location providers do",
    )
    low_accuracy = Message(
        "定位精度较低（±{accuracy} 米，阈值 {limit} 米）",
        "Low accuracy (±{accuracy} m; limit {limit} m)",
    )
    future_time = Message(
        "采集时间比服务器时间晚约 {ahead_zh}",
        "Taken about {ahead_en} ahead of the server clock",
    )
    time_skew_after = Message(
        "采集日期 {taken_on} 比日志日期 {record_date} 晚 {days} 天",
        "Taken on {taken_on}, {days} days after the log date {record_date}",
    )
    time_skew_before = Message(
        "采集日期 {taken_on} 比日志日期 {record_date} 早 {days} 天",
        "Taken on {taken_on}, {days} days before the log date {record_date}",
    )
    impossible_speed = Message(
        "与上一次定位相距 {distance_zh}，间隔 {elapsed_zh}，需时速约 {speed} 公里",
        "{distance_en} from the previous fix, {elapsed_en} apart, about {speed} km/h",
    )
    impossible_speed_at_once = Message(
        "与上一次定位相距 {distance_zh}，同一时刻",
        "{distance_en} from the previous fix, at the same moment",
    )
    photo_reused = Message(
        "照片与记录 {record_id} 的照片几乎相同（汉明距离 {distance}）",
        "Photo nearly identical to a photo of record {record_id} (Hamming distance {distance})",
    )
    no_location = Message(
        "记录和照片都没有位置信息（位置由干部自愿提供）",
        "Neither the record nor its photos carry a location (location is optional)",
    )
    #: A flag found on one of the record's photos rather than on the record's own fix.
    about_photo = Message("照片 {short}：{detail_zh}", "Photo {short}: {detail_en}")


class Units(Catalogue):
    """Distances, accuracies and durations inside flag details."""

    metres = Message("{n} 米", "{n} m")
    kilometres = Message("{n} 公里", "{n} km")
    accuracy = Message("精度 ±{n} 米", "±{n} m")
    accuracy_unknown = Message("精度未知", "accuracy unknown")
    seconds = Message("{n} 秒", "{n} s")
    minutes = Message("{n} 分钟", "{n} min")
    hours = Message("{n} 小时", "{n} h")
    days = Message("{n} 天", "{n} days")
