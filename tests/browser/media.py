"""Readers for the page's recordings, written from the formats' specifications so the tests
need no media library: a GIF89a decoder (blocks, LZW, the frames composed as a viewer shows
them) and a walk over a WebM file's EBML elements (header, track, blocks)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np


@dataclass
class GifFrame:
    left: int
    top: int
    width: int
    height: int
    delay_ms: int
    dispose: int
    transparent: int | None
    indices: bytes  # one palette index per pixel of the frame's rectangle


@dataclass
class Gif:
    width: int
    height: int
    palette: list[tuple[int, int, int]]
    loops: int | None
    frames: list[GifFrame] = field(default_factory=list)

    def composed(self, upto: int) -> np.ndarray:
        """Palette indices (height × width) once frames 0..upto are drawn (disposal 0 or 1)."""
        canvas = np.zeros((self.height, self.width), np.uint8)
        for frame in self.frames[: upto + 1]:
            assert frame.dispose in (0, 1), "only 'keep' disposal is used by the page"
            pixels = np.frombuffer(frame.indices, np.uint8).reshape(frame.height, frame.width)
            rows = slice(frame.top, frame.top + frame.height)
            region = canvas[rows, frame.left : frame.left + frame.width]
            drawn = pixels != frame.transparent if frame.transparent is not None else slice(None)
            region[drawn] = pixels[drawn]
        return canvas


def _sub_blocks(data: bytes, pos: int) -> tuple[bytes, int]:
    out = bytearray()
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return bytes(out), pos
        out += data[pos : pos + size]
        pos += size


def lzw_decode(data: bytes, min_code_size: int, count: int) -> bytes:
    """GIF's variable-width LZW (least significant bit first), stopping at `count` pixels."""
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    out = bytearray()
    width = min_code_size + 1
    table: list[bytes] = []
    previous: bytes | None = None
    bits = value = 0
    for byte in data:
        value |= byte << bits
        bits += 8
        while bits >= width:
            code = value & ((1 << width) - 1)
            value >>= width
            bits -= width
            if code == clear:
                table = [bytes([i]) for i in range(clear)] + [b"", b""]
                width, previous = min_code_size + 1, None
                continue
            if code == end:
                return bytes(out[:count])
            if code < len(table):
                entry = table[code]
                if previous is not None:
                    table.append(previous + entry[:1])
            else:  # the code being defined right now (KwKwK)
                assert previous is not None and code == len(table), "corrupt LZW stream"
                entry = previous + previous[:1]
                table.append(entry)
            out += entry
            previous = entry
            if len(table) == (1 << width) and width < 12:
                width += 1
    return bytes(out[:count])


def read_gif(data: bytes) -> Gif:
    assert data[:6] == b"GIF89a", data[:6]
    width, height, packed = struct.unpack_from("<HHB", data, 6)
    pos = 13
    palette: list[tuple[int, int, int]] = []
    if packed & 0x80:
        size = 2 << (packed & 7)
        palette = [tuple(data[pos + 3 * i : pos + 3 * i + 3]) for i in range(size)]
        pos += 3 * size
    gif = Gif(width, height, palette, loops=None)
    control = {"delay_ms": 0, "dispose": 0, "transparent": None}
    while True:
        kind = data[pos]
        pos += 1
        if kind == 0x3B:  # trailer
            return gif
        if kind == 0x21:  # extension
            label = data[pos]
            body, pos = _sub_blocks(data, pos + 1)
            if label == 0xF9:
                flags, delay, index = struct.unpack_from("<BHB", body)
                control = {"delay_ms": delay * 10, "dispose": (flags >> 2) & 7,
                           "transparent": index if flags & 1 else None}  # fmt: skip
            elif label == 0xFF and body[:11] == b"NETSCAPE2.0":
                gif.loops = struct.unpack_from("<H", body, 12)[0]  # after the sub-block id 1
            continue
        assert kind == 0x2C, f"unexpected block 0x{kind:02x} at {pos - 1}"
        left, top, w, h, flags = struct.unpack_from("<HHHHB", data, pos)
        pos += 9
        assert not flags & 0x80, "the page writes one global palette"
        min_code_size = data[pos]
        body, pos = _sub_blocks(data, pos + 1)
        indices = lzw_decode(body, min_code_size, w * h)
        assert len(indices) == w * h, f"frame {len(gif.frames)}: {len(indices)} of {w * h} pixels"
        gif.frames.append(GifFrame(left, top, w, h, indices=indices, **control))
        control = {"delay_ms": 0, "dispose": 0, "transparent": None}


# --- WebM (Matroska's EBML) ---------------------------------------------------------------
EBML, DOCTYPE = 0x1A45DFA3, 0x4282
SEGMENT, INFO, TRACKS, TRACK_ENTRY, VIDEO, CLUSTER = (
    0x18538067, 0x1549A966, 0x1654AE6B, 0xAE, 0xE0, 0x1F43B675)  # fmt: skip
TRACK_NUMBER, CODEC_ID, PIXEL_WIDTH, PIXEL_HEIGHT = 0xD7, 0x86, 0xB0, 0xBA
TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP, BLOCK, REFERENCE_BLOCK = 0xE7, 0xA3, 0xA0, 0xA1, 0xFB
MASTERS = {EBML, SEGMENT, INFO, TRACKS, TRACK_ENTRY, VIDEO, CLUSTER, BLOCK_GROUP}


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int, bool]:
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    assert length <= 8, f"bad EBML number at {pos}"
    value = first if keep_marker else first & ((0x80 >> (length - 1)) - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


@dataclass
class Webm:
    doctype: str = ""
    tracks: dict[int, dict] = field(default_factory=dict)
    blocks: list[dict] = field(default_factory=list)  # {track, time_ms, keyframe, size}


def read_webm(data: bytes) -> Webm:
    """Walk every element; masters (some of unknown size, as MediaRecorder streams them) are
    entered, others read or skipped, so the walk needs no sizes for Segment and Cluster."""
    out = Webm()
    pos, cluster_time, track = 0, 0, {}
    while pos < len(data):
        ident, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        if ident in MASTERS:
            if ident == TRACK_ENTRY:
                track = {}
            continue
        assert not unknown, f"element 0x{ident:x} of unknown size"
        body = data[pos : pos + size]
        pos += size
        if ident == DOCTYPE:
            out.doctype = body.decode()
        elif ident == TRACK_NUMBER:
            track["number"] = int.from_bytes(body, "big")
            out.tracks[track["number"]] = track
        elif ident == CODEC_ID:
            track["codec"] = body.decode()
        elif ident == PIXEL_WIDTH:
            track["width"] = int.from_bytes(body, "big")
        elif ident == PIXEL_HEIGHT:
            track["height"] = int.from_bytes(body, "big")
        elif ident == TIMECODE:
            cluster_time = int.from_bytes(body, "big")
        elif ident in (SIMPLE_BLOCK, BLOCK):
            number, at, _ = _vint(body, 0, keep_marker=False)
            (relative,) = struct.unpack_from(">h", body, at)
            # A SimpleBlock flags a keyframe; a Block (in a BlockGroup) is one unless the
            # group names a ReferenceBlock it depends on.
            keyframe = bool(body[at + 2] & 0x80) if ident == SIMPLE_BLOCK else True
            out.blocks.append({"track": number, "time_ms": cluster_time + relative,
                               "keyframe": keyframe, "size": size})  # fmt: skip
        elif ident == REFERENCE_BLOCK:
            out.blocks[-1]["keyframe"] = False
    return out
