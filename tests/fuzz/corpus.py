"""A deterministic corpus of hostile and odd inputs, made from the shared real clips.

:func:`build_corpus` writes every case into a folder and returns one :class:`Case` per file:
good clips in many containers, codecs, pixel formats and sizes (controls), clips cut short at
several points, zeroed byte ranges, flipped bytes, headers that declare more than the file holds,
resolution / frame-rate / pixel-format changes mid-stream, special files (FIFO, device, socket,
directory), odd names (non-UTF-8 bytes, newline, leading dash, 240-byte, URL-like, HTML), and
files that are not video at all. Each case states what vidtools must do with it.

Everything derives from fixed byte offsets and seeded random generators, so the same ffmpeg
gives the same corpus. ``variants`` scales the damaged classes (more cut points, zeroed ranges
and flip seeds per container) for ``bench/fuzz.py``.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vidtools.ffmpeg import ffmpeg_exe

EXPECTS = ("complete", "partial", "analysed", "error")
"""``analysed`` = complete or partial (damage that may or may not hit a frame)."""


@dataclass(frozen=True)
class Case:
    """One input and what vidtools must make of it.

    Attributes:
        name: Unique id (also the pytest id).
        path: The file (or special file) to give vidtools.
        kind: Its class: ``good``, ``name``, ``truncated``, ``zeroed``, ``flipped``, ``header``,
            ``midstream``, ``special``, ``notvideo``.
        expect: ``complete``, ``partial``, ``analysed`` (either) or ``error``.
        messages: For ``error``: the error line contains one of these.
        pending: A regular expression of today's error message where another lane's work is
            still open (e.g. the shots analyser and a frame-size change); such a run is an
            expected failure only while that exact message appears.
        probe_ok: Whether ``probe`` (which reads headers, not frames) succeeds; by default
            exactly when ``expect`` is not ``error``.
    """

    name: str
    path: Path
    kind: str
    expect: str
    messages: tuple[str, ...] = ()
    pending: str | None = None
    probe_ok: bool | None = None

    @property
    def probes(self) -> bool:
        """Whether ``vidtools probe`` must succeed on this case."""
        return self.expect != "error" if self.probe_ok is None else self.probe_ok

    def accepts(self, outcome: str) -> bool:
        """Whether an analysis outcome (``complete``, ``partial`` or ``error``) is what this
        case specifies."""
        if self.expect == "analysed":
            return outcome in ("complete", "partial")
        return outcome == self.expect

    def __post_init__(self) -> None:
        if self.expect not in EXPECTS:
            raise ValueError(f"expect must be one of {EXPECTS}")


SIZE_CHANGE_PENDING = r"thumbnail size changed"
"""Until the shots package treats a frame-size change as a ``format_change`` boundary (issue 10)."""


def _ff(*args: str | os.PathLike[str]) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-y", *map(str, args)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _cut(src: Path, dst: Path, frac: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * frac)])
    return dst


def _zero(src: Path, dst: Path, at: float, share: float) -> Path:
    data = bytearray(src.read_bytes())
    a = int(len(data) * at)
    b = min(len(data), a + int(len(data) * share))
    data[a:b] = bytes(b - a)
    dst.write_bytes(bytes(data))
    return dst


def _flip(src: Path, dst: Path, seed: int, n: int = 200, skip: float = 0.1) -> Path:
    """XOR ``n`` random bytes past the first ``skip`` share of the file (the header stays)."""
    data = bytearray(src.read_bytes())
    rng = random.Random(seed)
    lo = int(len(data) * skip)
    for _ in range(n):
        data[rng.randrange(lo, len(data))] ^= rng.randrange(1, 256)
    dst.write_bytes(bytes(data))
    return dst


def _patch_avi_frames(src: Path, dst: Path, frames: int) -> Path:
    """Set the frame counts of an AVI's main and stream headers (``avih``, ``strh``)."""
    data = bytearray(src.read_bytes())
    i = data.find(b"avih")
    data[i + 24 : i + 28] = frames.to_bytes(4, "little")
    j = data.find(b"strh")
    data[j + 40 : j + 44] = frames.to_bytes(4, "little")
    dst.write_bytes(bytes(data))
    return dst


def _patch_mkv_duration(src: Path, dst: Path, factor: float) -> Path:
    """Multiply a Matroska file's Segment Info Duration (EBML id 0x4489, 8-byte float) and the
    video track's ``DURATION`` tag, as a wrong header of a re-muxed download would."""
    import struct

    data = bytearray(src.read_bytes())
    i = data.find(b"\x44\x89\x88")
    if i < 0:
        raise RuntimeError(f"{src}: no 8-byte Duration element")
    (dur,) = struct.unpack(">d", data[i + 3 : i + 11])
    data[i + 3 : i + 11] = struct.pack(">d", dur * factor)
    j = data.find(b"DURATION")
    if j >= 0:  # the tag's string value: HH:MM:SS.nnnnnnnnn; make it 00:00:59.000000000
        k = data.find(b"00:00:", j)
        if 0 <= k - j < 64:
            data[k : k + 18] = b"00:00:59.000000000"
    dst.write_bytes(bytes(data))
    return dst


def _sources(src_dir: Path, work: Path) -> dict[str, Path]:
    """The short real-footage clips every case starts from (stream copies: the cameras' own
    encodings, cut at keyframes)."""
    car, vtest = src_dir / "intel_car-detection.mp4", src_dir / "opencv_vtest.avi"
    out = {
        "mp4": work / "src_faststart.mp4",
        "mp4_end": work / "src_moov_end.mp4",
        "avi": work / "src.avi",
        "mkv": work / "src.mkv",
        "ts": work / "src.ts",
    }
    _ff("-i", car, "-t", "3", "-an", "-c", "copy", "-movflags", "+faststart", out["mp4"])
    _ff("-i", car, "-t", "3", "-an", "-c", "copy", out["mp4_end"])
    _ff("-i", vtest, "-t", "3", "-c", "copy", out["avi"])
    _ff("-i", car, "-t", "4", "-an", "-c", "copy", out["mkv"])
    _ff("-i", car, "-t", "4", "-an", "-c", "copy", out["ts"])
    return out


def _goods(src_dir: Path, d: Path, src: dict[str, Path]) -> list[Case]:
    car, vtest = src_dir / "intel_car-detection.mp4", src_dir / "opencv_vtest.avi"
    people, vfr = src_dir / "yassim_people.mp4", src_dir / "psd_goldeneye-vfr-drop3.mp4"
    small = ["-t", "1.5", "-an"]

    def enc(name: str, *args: str | os.PathLike[str], inp: Path = car, expect: str = "complete") -> Case:
        path = d / name
        _ff("-i", inp, *small, *args, path)
        return Case(f"good-{name}", path, "good", expect)

    cases = [Case(f"good-{p.name}", p, "good", "complete") for p in src.values()]
    cases += [
        enc("vfr_goldeneye.mp4", "-c", "copy", inp=vfr),
        enc("psd_testvideo.mp4", "-c", "copy", inp=src_dir / "psd_testvideo.mp4"),
        enc("hevc.mp4", "-vf", "scale=320:-2", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"),
        enc("vp9.webm", "-vf", "scale=320:-2", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"),
        enc("vp8.webm", "-vf", "scale=320:-2", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"),
        enc("av1.mkv", "-vf", "scale=160:-2", "-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime"),
        enc("mjpeg.avi", "-vf", "scale=384:-2", "-c:v", "mjpeg", "-q:v", "5", inp=vtest),
        enc("mpeg2.ts", "-vf", "scale=352:-2", "-c:v", "mpeg2video"),
        enc("gray.mp4", "-vf", "scale=320:-2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "gray"),
        enc("yuv444.mkv", "-vf", "scale=320:-2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"),
        enc("10bit.mkv", "-vf", "scale=320:-2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"),
        enc("odd_321x241.mkv", "-vf", "scale=321:241", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"),
        enc("tiny_16x16.mkv", "-vf", "scale=16:16", "-c:v", "libx264", "-preset", "ultrafast"),
        enc("wide_1000x40.mkv", "-vf", "scale=1000:40", "-c:v", "libx264", "-preset", "ultrafast"),
        enc("one_frame.mp4", "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast"),
        enc("prores.mov", "-vf", "scale=320:-2", "-c:v", "prores_ks", "-profile:v", "0"),
        enc("ffv1.mkv", "-vf", "scale=160:-2", "-c:v", "ffv1"),
        enc("png_rgba.mkv", "-vf", "scale=160:-2,format=rgba", "-c:v", "png"),
        enc("flv.flv", "-c:v", "copy"),
        enc("xvid.avi", "-vf", "scale=320:-2", "-c:v", "mpeg4", inp=people),
        enc("nut.nut", "-vf", "scale=320:-2", "-c:v", "mpeg4"),
        enc("mobile.3gp", "-vf", "scale=176:144", "-c:v", "mpeg4"),
    ]
    # with audio (the camera's own AAC track)
    _ff("-i", car, "-t", "2", "-c", "copy", d / "with_audio.mp4")
    cases.append(Case("good-with_audio.mp4", d / "with_audio.mp4", "good", "complete"))
    # phone footage: a display matrix turning the picture 90 degrees
    _ff("-display_rotation", "90", "-i", car, "-t", "2", "-an", "-c", "copy", d / "rotated90.mp4")
    cases.append(Case("good-rotated90.mp4", d / "rotated90.mp4", "good", "complete"))
    # two video streams (the second a small mpeg2 overlay feed)
    _ff("-i", car, "-i", vtest, "-t", "2", "-map", "0:v", "-map", "1:v", "-c:v:0", "copy", "-c:v:1", "mpeg2video",
        "-s:v:1", "192x144", d / "two_video.mkv")
    cases.append(Case("good-two_video.mkv", d / "two_video.mkv", "good", "complete"))
    # a variable-frame-rate recording that holds its picture for 2 s (no frame in between)
    _ff("-i", car, "-t", "2", "-an", "-vf", "setpts='if(gte(N,12),PTS+2/TB,PTS)'", "-fps_mode", "vfr", "-c:v", "libx264",
        "-preset", "ultrafast", d / "vfr_hold.mp4")
    cases.append(Case("good-vfr_hold.mp4", d / "vfr_hold.mp4", "good", "complete"))
    # two transport streams glued byte-wise: timestamps run backwards at the joint
    a, b = d / "_part_a.ts", d / "_part_b.ts"
    _ff("-i", car, "-t", "1.5", "-an", "-c", "copy", a)
    _ff("-ss", "4", "-i", car, "-t", "1.5", "-an", "-c", "copy", b)
    (d / "backwards.ts").write_bytes(a.read_bytes() + b.read_bytes())
    a.unlink()
    b.unlink()
    cases.append(Case("good-backwards.ts", d / "backwards.ts", "good", "analysed"))
    # a still picture under a video name: one frame
    _ff("-i", vtest, "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", d / "photo_as_video.mp4")
    cases.append(Case("good-photo_as_video.mp4", d / "photo_as_video.mp4", "good", "complete"))
    return cases


def _midstream(src_dir: Path, d: Path) -> list[Case]:
    """Real footage whose frame size, frame rate or pixel format changes inside one stream."""
    car, people = src_dir / "intel_car-detection.mp4", src_dir / "yassim_people.mp4"
    x264 = ["-an", "-c:v", "libx264", "-preset", "ultrafast"]
    parts = {
        "car": (car, "scale=384:216", "yuv420p", "12.5"),
        "portrait": (people, "scale=240:320,setsar=1", "yuv420p", "12.5"),
        "car25": (car, "scale=384:216", "yuv420p", "25"),
        "car444": (car, "scale=384:216", "yuv444p", "12.5"),
    }
    made = {}
    for key, (src, vf, pix, rate) in parts.items():
        made[key] = d / f"_part_{key}.ts"
        _ff("-i", src, "-t", "1.5", "-vf", f"{vf},fps={rate}", *x264, "-pix_fmt", pix, made[key])

    def concat(name: str, keys: Sequence[str], pending: str | None) -> Case:
        lst = d / f"_{name}.txt"
        lst.write_text("".join(f"file '{made[k].name}'\n" for k in keys))
        _ff("-f", "concat", "-safe", "0", "-i", lst, "-c", "copy", d / name)
        lst.unlink()
        return Case(f"midstream-{name}", d / name, "midstream", "complete", pending=pending)

    cases = [
        concat("size_change.ts", ["car", "portrait", "car"], SIZE_CHANGE_PENDING),
        concat("size_change.mkv", ["car", "portrait"], SIZE_CHANGE_PENDING),
        concat("fps_change.ts", ["car", "car25"], None),
        concat("pixfmt_change.ts", ["car", "car444"], None),
    ]
    for p in made.values():
        p.unlink()
    return cases


def _damaged(d: Path, src: dict[str, Path], variants: int) -> list[Case]:
    cases: list[Case] = []
    fracs = [0.3, 0.6, 0.9] if variants <= 1 else [round(0.1 + 0.85 * k / (3 * variants - 1), 4) for k in range(3 * variants)]
    for key in ("mp4", "avi", "mkv", "ts"):
        ext = src[key].suffix
        for f in fracs:
            # a transport stream has no index or declared length: cut at a packet boundary it is
            # just a shorter stream, so it may read as complete
            expect = "analysed" if key == "ts" else "partial"
            p = _cut(src[key], d / f"cut{int(f * 1000):03d}_{key}{ext}", f)
            cases.append(Case(f"truncated-{p.name}", p, "truncated", expect))
        for k in range(max(1, variants)):
            at = 0.35 + 0.4 * k / max(1, variants)
            p = _zero(src[key], d / f"zeroed{k}_{key}{ext}", at, 0.2)
            cases.append(Case(f"zeroed-{p.name}", p, "zeroed", "partial"))
        for seed in range(2 * max(1, variants)):
            p = _flip(src[key], d / f"flip{seed}_{key}{ext}", seed)
            cases.append(Case(f"flipped-{p.name}", p, "flipped", "analysed"))
    cases.append(Case("truncated-moov_end.mp4", _cut(src["mp4_end"], d / "cut_moov_end.mp4", 0.5), "truncated", "error",
                      ("truncated MP4 without its index",)))
    moov_end = src["mp4"].read_bytes().find(b"mdat") + 64
    head = d / "header_only.mp4"
    head.write_bytes(src["mp4"].read_bytes()[:moov_end])
    cases.append(Case("truncated-header_only.mp4", head, "truncated", "error", ("no decodable video frames",), probe_ok=True))
    cases.append(Case("header-avi_claims_more.avi", _patch_avi_frames(src["avi"], d / "claims_more.avi", 120), "header", "partial"))
    cases.append(Case("header-mkv_longer.mkv", _patch_mkv_duration(src["mkv"], d / "longer.mkv", 3.0), "header", "partial"))
    return cases


def _specials(d: Path, good: Path) -> list[Case]:
    cases = []
    fifo = d / "fifo.mp4"
    os.mkfifo(fifo)
    cases.append(Case("special-fifo", fifo, "special", "error", ("named pipe (FIFO)",)))
    dev = d / "device.mp4"
    dev.symlink_to("/dev/null")
    cases.append(Case("special-device", dev, "special", "error", ("character device",)))
    folder = d / "folder.mp4"
    folder.mkdir()
    cases.append(Case("special-directory", folder, "special", "error", ("is a directory",)))
    sock_path = d / "socket.mp4"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(str(sock_path))
    finally:
        s.close()
    cases.append(Case("special-socket", sock_path, "special", "error", ("is a socket",)))
    link = d / "link_to_good.mp4"
    link.symlink_to(good)
    cases.append(Case("special-symlink", link, "special", "complete"))
    broken = d / "broken_link.mp4"
    broken.symlink_to(d / "nowhere.mp4")
    cases.append(Case("special-broken_symlink", broken, "special", "error", ("file not found",)))
    return cases



HOSTILE_NAME = "<img src=x onerror=alert(1)>\"q'&amp;.mp4"
"""A file name that would run script if a page put it into HTML unescaped."""


def _names(d: Path, good: Path) -> list[Case]:
    data = good.read_bytes()
    names: list[tuple[str, str | bytes]] = [
        ("latin1", b"caf\xe9 r\xe9sum\xe9 \xff.mp4"),
        ("unicode_spaces", "clip with spaces ünïcödé Кадр 🎥.mp4"),
        ("leading_dash", "-dash.mp4"),
        ("long_240", "L" * 236 + ".mp4"),
        ("long_250", "M" * 246 + ".mp4"),
        ("newline", "new\nline.mp4"),
        ("url_like", "http:evil.mp4"),
        ("concat_like", "concat:x.mp4"),
        ("hostile_html", HOSTILE_NAME),
        ("bidi_override", "clip\u202egpj.mp4"),
    ]
    cases = []
    dd = os.fsencode(d)
    for key, name in names:
        raw = os.path.join(dd, name if isinstance(name, bytes) else os.fsencode(name))
        with open(raw, "wb") as f:
            f.write(data)
        cases.append(Case(f"name-{key}", Path(os.fsdecode(raw)), "name", "complete"))
    return cases


def _not_video(d: Path, src_dir: Path) -> list[Case]:
    cases = [Case("notvideo-missing", d / "missing.mp4", "notvideo", "error", ("file not found",))]
    (d / "empty.mp4").write_bytes(b"")
    cases.append(Case("notvideo-empty", d / "empty.mp4", "notvideo", "error", ("file is empty",)))
    (d / "text.mp4").write_text("this is not a video\n" * 200)
    cases.append(Case("notvideo-text", d / "text.mp4", "notvideo", "error", ("not a readable video",)))
    rng = random.Random(7)
    (d / "noise.mp4").write_bytes(bytes(rng.randrange(256) for _ in range(65536)))
    cases.append(Case("notvideo-noise", d / "noise.mp4", "notvideo", "error",
                      ("not a readable video", "no video stream", "no decodable video frames")))
    _ff("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", d / "audio_only.m4a")
    cases.append(Case("notvideo-audio_only", d / "audio_only.m4a", "notvideo", "error", ("no video stream",)))
    _ff("-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "0", "-c:v", "mpeg4", d / "zero_frames.avi")
    cases.append(Case("notvideo-zero_frames", d / "zero_frames.avi", "notvideo", "error", ("no video frames", "no decodable video frames")))
    return cases


def build_corpus(out: Path, src_dir: Path, *, variants: int = 1) -> list[Case]:
    """Write the corpus into ``out`` (a new folder) and return its cases.

    Args:
        out: Folder to create the files in.
        src_dir: The shared real clips (``../shared/videos``).
        variants: Damaged variants per container and class (1 for CI: about 90 cases; each
            extra variant adds about 24).
    """
    out.mkdir(parents=True, exist_ok=True)
    work = out / "_sources"
    work.mkdir(exist_ok=True)
    src = _sources(src_dir, work)
    steps: list[Callable[[], list[Case]]] = [
        lambda: _goods(src_dir, out, src),
        lambda: _midstream(src_dir, out),
        lambda: _damaged(out, src, variants),
        lambda: _specials(out, src["mp4"]),
        lambda: _names(out, src["mp4"]),
        lambda: _not_video(out, src_dir),
    ]
    cases = [c for step in steps for c in step()]
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise RuntimeError("duplicate case names")
    return cases
