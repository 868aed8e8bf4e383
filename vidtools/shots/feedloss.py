"""Feed losses: per-frame labels, loss episodes as typed values, and what an episode was.

Each frame gets a :class:`Label`. A run of frames that are not clear is an *episode*
(:class:`LossEpisode`: its runs of one label each, what the picture did before it, and the levels
of its last frames). When the first clear frame after it arrives, :func:`judge_episode` decides
what it was, from physical traits of a lost feed versus an edit:

- **Feed loss** (a strike): the link or camera dies within a frame, so the loss is *abrupt*, it
  follows a *live* picture (a flying camera, not a photo), and it ends the clip or is followed by
  a new shot that starts abruptly. Digital goggles keep drawing the OSD over the lost picture,
  which the per-cell signals of :mod:`~vidtools.shots.signals` look through.
- **Edit** (no strike): an editor's dip to black fades out or in, or puts a still picture
  (slideshow, title) before the black; the boundary goes where the picture changes abruptly
  (the entry of a cut to black) or where the next picture starts to fade in.
- **Glitch**: a short loss after which the same view resumes.

Labels:

- ``BLACK``: at least ``black_share`` of the pixels are dark (at most ``black_luma``) and flat
  (``black_std``); overlays drawn over the black do not count against it.
- ``STATIC`` (analog snow): at least ``static_cells`` of the textured cells are uncorrelated with
  the previous frame and noise-like, in a colourless frame.
- ``BROKEN`` (digital break-up): a large change that keeps much of the last picture and whose
  difference image is blocky.
- ``STILL``: at least ``still_cells`` of the cells did not change (a frozen picture; an OSD that
  keeps updating changes a few cells).
"""

from __future__ import annotations

import enum
import statistics
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vidtools.shots.params import ShotParams
from vidtools.shots.signals import FrameSignals, similarity
from vidtools.types import ShotEvent


class Label(enum.IntEnum):
    """What a frame shows."""

    CLEAR = 0
    STILL = 1
    BLACK = 2
    STATIC = 3
    BROKEN = 4


LOSS_LABELS = frozenset({Label.BLACK, Label.STATIC, Label.BROKEN})
"""Labels of a lost picture (a still frame is lost only when a freeze is proven)."""

STRIKE_KIND = {Label.BLACK: "black", Label.STATIC: "signal_loss", Label.BROKEN: "signal_loss", Label.STILL: "freeze"}
"""Strike kind of the phase a feed loss starts with."""


def classify(sig: FrameSignals, params: ShotParams) -> Label:
    """The label of one frame (see the module docstring)."""
    p = params
    if sig.dark_share >= p.black_share and sig.dark_std <= p.black_std:
        return Label.BLACK
    if sig.std >= p.flat_std and sig.snow_cells >= p.static_cells and sig.chroma is not None and sig.chroma < p.static_chroma:
        return Label.STATIC
    if sig.broken:
        return Label.BROKEN
    if sig.std >= p.flat_std and sig.still_cells >= p.still_cells:
        return Label.STILL
    return Label.CLEAR


@dataclass(frozen=True, eq=False)
class LabelledFrame:
    """A frame's signals and its label."""

    sig: FrameSignals
    label: Label

    @property
    def index(self) -> int:
        return self.sig.index

    @property
    def t(self) -> float:
        return self.sig.t


@dataclass(frozen=True)
class FrameRef:
    """A frame by its source index and time (s)."""

    index: int
    t: float


def ref(f: LabelledFrame | FrameSignals) -> FrameRef:
    """The :class:`FrameRef` of a frame."""
    return FrameRef(f.index, f.t)


def committed_label(frame: LabelledFrame, ahead: Iterable[LabelledFrame], is_candidate: bool,
                    episode: Label | None, params: ShotParams, frame_s: float) -> Label:
    """The label a frame is judged with, once the frames after it are known.

    - A cut candidate right before snow / break-up is that loss's first frame (the abrupt change
      into it).
    - A loss-looking run that ends, within ``ahead``, before it lasts ``min_black_s`` /
      ``min_loss_s`` (with no episode open) is clear: too short to be a loss (a flash frame, a
      transition frame); the cut logic judges it like any other change.
    - A clear frame inside black / snow / break-up (the frame after it has the open episode's
      label) belongs to the loss.

    Args:
        frame: The frame leaving the look-ahead.
        ahead: The frames after it, in order.
        is_candidate: A cut detector flagged it.
        episode: Label of the open episode's current run (None when none is open).
        params: Thresholds.
        frame_s: Nominal duration of one frame (s).
    """
    ahead = iter(ahead)
    nxt = next(ahead, None)
    label = frame.label
    if label == Label.CLEAR and nxt is not None:
        if episode in LOSS_LABELS and nxt.label == episode:
            return episode  # type: ignore[return-value]
        if is_candidate and nxt.label in (Label.STATIC, Label.BROKEN):
            label = nxt.label
    if label in LOSS_LABELS and episode is None:
        need = params.min_black_s if label == Label.BLACK else params.min_loss_s
        last = frame
        for f in (nxt, *ahead) if nxt is not None else ():
            if f.label not in LOSS_LABELS:
                return Label.CLEAR if last.t - frame.t + frame_s < need else label
            last = f
    return label


@dataclass(frozen=True)
class LossRun:
    """Consecutive frames of one label inside an episode.

    Attributes:
        label: Their label.
        first: First frame.
        last: Last frame.
        n: Number of frames.
    """

    label: Label
    first: FrameRef
    last: FrameRef
    n: int

    def seconds(self, frame_s: float) -> float:
        """Duration (s): first to last frame plus one frame of ``frame_s``."""
        return self.last.t - self.first.t + frame_s


@dataclass(frozen=True, eq=False)
class Approach:
    """What the picture did before an episode.

    Attributes:
        pre: The last clear frame before it (None at the start of the segment).
        before: The frame just before it (None at the start of the segment).
        live: At most ``live_share`` of the frames in ``motion_window_s`` before it were still.
        moving: The camera moved in that window (median mean-difference and moving cells) and
            stopped abruptly at its end (the precondition of a freeze).
    """

    pre: FrameSignals | None
    before: FrameSignals | None
    live: bool
    moving: bool


@dataclass(frozen=True, eq=False)
class LossEpisode:
    """A finished run of frames that were not clear.

    Attributes:
        runs: Runs of one label each, in order.
        approach: What the picture did before it.
        first: Signals of its first frame.
        last: Signals of its last frame.
        core_faded: The first black / snow / break-up frame was reached through a fade (the
            frame before it is darker than ``fade_ratio`` of the brightest in ``fade_window_s``
            before it). False when there is no such frame.
        core_before: The frame just before the first black / snow / break-up frame (None when
            there is none, or it is the first frame of the segment).
        core_onset: Where that first phase began: its first frame or, for a break-up, the first
            of the clear frames just before it that were already breaking up (see
            :func:`break_up_onset`). None without such a phase.
        tail: Levels (``FrameRef``, mean grey) of its last frames, oldest first (to find where a
            fade-in began).
    """

    runs: tuple[LossRun, ...]
    approach: Approach
    first: FrameSignals
    last: FrameSignals
    core_faded: bool
    core_before: FrameRef | None
    core_onset: FrameRef | None
    tail: tuple[tuple[FrameRef, float], ...]


@dataclass(frozen=True)
class Boundary:
    """A shot boundary: ``start`` is the first frame of the new shot, ``end`` the last frame of
    the shot it closes, which ends for ``reason`` (a :data:`vidtools.types.SHOT_END_REASONS`)."""

    start: FrameRef
    end: FrameRef
    reason: str


@dataclass(frozen=True)
class StrikeCall:
    """A feed loss found: ``kind`` (a :data:`vidtools.types.STRIKE_KINDS`), its first and last
    lost frames."""

    kind: str
    first: FrameRef
    last: FrameRef


@dataclass(frozen=True)
class EpisodeVerdict:
    """What an episode was.

    Attributes:
        strike: The feed loss, or None.
        boundaries: Shot boundaries it makes, in order. With a strike, the boundary (if the clip
            goes on) starts the shot after the loss; the lost frames end the shot before.
        event: An edit or glitch that was not taken for a cut or a strike.
        settles_next: The first clear frame after it needs no cut judgement of its own.
    """

    strike: StrikeCall | None = None
    boundaries: tuple[Boundary, ...] = ()
    event: ShotEvent | None = None
    settles_next: bool = True


NOT_A_LOSS = EpisodeVerdict(settles_next=False)
"""A still run that was just a still picture: nothing happened, judge the next frame normally."""


@dataclass(frozen=True, eq=False)
class After:
    """What follows an episode.

    Attributes:
        nxt: The first clear frame after it (None at the end of the segment).
        ahead: The frames after ``nxt`` in the look-ahead, in order.
        nxt_is_candidate: A cut detector flagged ``nxt``.
    """

    nxt: LabelledFrame | None
    ahead: tuple[LabelledFrame, ...]
    nxt_is_candidate: bool


def approach_of(history: Sequence[LabelledFrame], pre: FrameSignals | None, shot_start: int, params: ShotParams) -> Approach:
    """What the picture did before an episode that starts after ``history`` (oldest first).

    Only frames of the current shot (from source index ``shot_start``) count: a still picture
    just after a cut is not a camera that stopped.
    """
    p = params
    if not history:
        return Approach(pre=pre, before=None, live=False, moving=False)
    last = history[-1]
    window = [f for f in history if last.t - f.t < p.motion_window_s and f.index >= shot_start]
    if len(window) < 3:
        return Approach(pre=pre, before=last.sig, live=False, moving=False)
    md_med = statistics.median(f.sig.md for f in window)
    cells_med = statistics.median(f.sig.moving_cells for f in window)
    # the last frames before a freeze may already be nearly still (an encoder refining the
    # repeated picture): the stop is abrupt when one of the last two frames still moved
    last_md = max(f.sig.md for f in history[-2:])
    moving = md_med >= p.freeze_motion_md and cells_med >= p.freeze_motion_cells and last_md >= p.freeze_abrupt_ratio * md_med
    still = sum(1 for f in window if f.label == Label.STILL)
    return Approach(pre=pre, before=last.sig, live=still <= p.live_share * len(window), moving=moving)


def break_up_onset(history: Sequence[LabelledFrame], params: ShotParams) -> FrameRef | None:
    """The first of the clear frames at the end of ``history`` (oldest first) that were already
    breaking up: their change was at least ``broken_onset_axis`` blocky and not the camera moving
    (shift-tolerant similarity with the frame before below ``broken_similarity``). None when the
    last frame was not."""
    onset = None
    for k in range(len(history) - 1, 0, -1):
        f = history[k]
        if (
            f.label != Label.CLEAR
            or f.sig.block_share < params.broken_onset_axis
            or similarity(history[k - 1].sig.g, f.sig.g) >= params.broken_similarity
        ):
            break
        onset = ref(f)
    return onset


def entered_by_fade(history: Sequence[LabelledFrame], params: ShotParams) -> bool:
    """Whether the frames before a black / snow run (``history``, oldest first) darkened into it."""
    if not history:
        return False
    last = history[-1]
    peak = max(f.sig.mean for f in history if last.t - f.t <= params.fade_window_s)
    return last.sig.mean < params.fade_ratio * peak


def fade_in(ep: LossEpisode, after: After, params: ShotParams) -> FrameRef | None:
    """Where the picture after an episode starts to fade in, or None when it starts abruptly.

    The picture fades in when the first clear frame is darker than ``fade_ratio`` of the
    brightest frame within ``fade_window_s`` after it, or when the episode's last frames were
    already brightening steadily (``fade_in_frames`` rising by ``fade_in_step``). The fade-in
    starts at the first frame of that rise.
    """
    if after.nxt is None:
        return None
    nxt = after.nxt
    levels = [*ep.tail, (ref(nxt), nxt.sig.mean)]
    k = len(levels) - 1
    while k > 0 and levels[k][1] > levels[k - 1][1] + params.fade_in_step:
        k -= 1
    rising = len(levels) - 1 - k
    window = [nxt, *(f for f in after.ahead if f.t - nxt.t <= params.fade_window_s)]
    peak = max(f.sig.mean for f in window)
    if nxt.sig.mean < params.fade_ratio * peak or rising >= params.fade_in_frames:
        return levels[k][0] if rising else ref(nxt)
    return None


def resumes(pre: FrameSignals | None, frames: Sequence[LabelledFrame], params: ShotParams) -> bool:
    """Whether one of ``frames`` (the first clear frames after a disturbance) continues the view
    of ``pre`` (shift-tolerant similarity at least ``resume_corr``, a level within
    ``resume_level`` and a contrast within a factor ``resume_contrast``). Pictures too plain to
    compare (``min_texture_std``) are never called resumed."""
    p = params
    if pre is None or pre.std < p.min_texture_std:
        return False
    for f in frames:
        if f.label not in (Label.CLEAR, Label.STILL):
            continue
        s = f.sig
        if (
            abs(s.mean - pre.mean) <= p.resume_level
            and 1 / p.resume_contrast <= s.std / pre.std <= p.resume_contrast
            and similarity(pre.g, s.g) >= p.resume_corr
        ):
            return True
    return False


def _event(kind: str, first: FrameRef, last: FrameRef) -> ShotEvent:
    return ShotEvent(type=kind, start_frame=first.index, end_frame=last.index, t=round(first.t, 6))


def judge_episode(ep: LossEpisode, after: After, params: ShotParams, frame_s: float) -> EpisodeVerdict:
    """Decide what a finished episode was (see the module docstring).

    Args:
        ep: The episode.
        after: What follows it.
        params: Thresholds.
        frame_s: Nominal duration of one frame (s), added to a run's first-to-last span.

    Returns:
        :class:`EpisodeVerdict`.
    """
    p = params
    nxt = after.nxt
    pre = ep.approach.pre
    k = 0
    while k < len(ep.runs) and ep.runs[k].label == Label.STILL:
        k += 1
    still, core = ep.runs[:k], ep.runs[k:]
    still_s = sum(r.seconds(frame_s) for r in still)
    frozen = pre is not None and still_s >= p.min_freeze_s and ep.approach.moving
    first, last = ref(ep.first), ref(ep.last)
    to_nxt = () if nxt is None else (Boundary(ref(nxt), last, "cut"),)

    black_s = sum(r.seconds(frame_s) for r in core if r.label == Label.BLACK)
    noise_s = sum(r.seconds(frame_s) for r in core if r.label != Label.BLACK)
    if noise_s < p.min_loss_s and black_s < p.min_black_s:
        # only still frames (a frozen feed, or just a still picture), perhaps with a frame or two
        # of junk: too short to be a loss, which the cut logic judges like any other change
        if not frozen:
            return NOT_A_LOSS
        if nxt is not None and not after.nxt_is_candidate and similarity(ep.last.g, nxt.sig.g) >= p.resume_corr:
            return NOT_A_LOSS  # the same view moves on: the camera just stopped
        return _strike("freeze", first, last, nxt)

    black_only = noise_s < p.min_loss_s
    core_first = core[0].first
    if pre is None:  # the segment opens on black / snow: no strike
        if nxt is None:
            return EpisodeVerdict()
        if black_only and fade_in(ep, after, p) is not None:
            return EpisodeVerdict(event=_event("fade", first, last))
        return EpisodeVerdict(boundaries=to_nxt)

    nxt_frames = () if nxt is None else (nxt, *after.ahead[:2])
    total_s = (nxt.t if nxt is not None else ep.last.t + frame_s) - ep.first.t
    resumed = nxt is not None and resumes(pre, nxt_frames, p)
    if resumed and total_s <= p.max_glitch_s:
        return EpisodeVerdict(event=_event("glitch", first, last))

    # the picture stopped just before it was lost: the strike starts at the first still frame
    onset = first if still and ep.approach.moving else _onset(core, ep.core_onset, p, frame_s)
    if not black_only or frozen:
        return _strike(_kind(core, frozen, p, frame_s), onset, last, nxt)

    # black only: a feed loss when abrupt after a live picture and not followed by a fade-in
    entry_abrupt = not ep.core_faded
    live = ep.approach.live and still_s < p.min_freeze_s
    fade_start = fade_in(ep, after, p)
    if entry_abrupt and live and fade_start is None:
        return _strike("black", onset, last, nxt)
    # an edit: a dip / cut / fade to black
    event = _event("dip_to_black", core_first, last)
    if resumed:
        return EpisodeVerdict(event=event)
    bounds: list[Boundary] = []
    if entry_abrupt and ep.core_before is not None:
        bounds.append(Boundary(core_first, ep.core_before, "cut"))
    if nxt is not None:
        if fade_start is not None:
            if not bounds:
                bounds.append(Boundary(fade_start, _before(ep, fade_start), "cut"))
        elif not bounds or black_s >= p.min_shot_s:
            bounds.append(Boundary(ref(nxt), last, "cut"))
    return EpisodeVerdict(boundaries=tuple(bounds), event=event)


def _before(ep: LossEpisode, start: FrameRef) -> FrameRef:
    """The frame before ``start`` among the episode's tail (``start`` itself when it is the first)."""
    prev = None
    for r, _ in ep.tail:
        if r.index >= start.index:
            break
        prev = r
    return prev if prev is not None else ref(ep.last)


def _onset(core: Sequence[LossRun], core_onset: FrameRef | None, p: ShotParams, frame_s: float) -> FrameRef:
    """First frame of the first loss phase long enough to count (where it began, when it is the
    first phase)."""
    for r in core:
        need = p.min_black_s if r.label == Label.BLACK else p.min_loss_s
        if r.seconds(frame_s) >= need:
            return core_onset if r is core[0] and core_onset is not None else r.first
    return core_onset or core[0].first


def _kind(core: Sequence[LossRun], frozen: bool, p: ShotParams, frame_s: float) -> str:
    """Strike kind: ``freeze`` when the picture froze first, else the kind of the first phase
    long enough to count (black then snow: ``black``)."""
    if frozen:
        return "freeze"
    for r in core:
        need = p.min_black_s if r.label == Label.BLACK else p.min_loss_s
        if r.seconds(frame_s) >= need:
            return STRIKE_KIND[r.label]
    return STRIKE_KIND[core[0].label]


def _strike(kind: str, first: FrameRef, last: FrameRef, nxt: LabelledFrame | None) -> EpisodeVerdict:
    bounds = () if nxt is None else (Boundary(ref(nxt), last, kind),)
    return EpisodeVerdict(strike=StrikeCall(kind, first, last), boundaries=bounds)


class EpisodeBuilder:
    """Collects the frames of an episode as they are committed; :meth:`build` gives the
    :class:`LossEpisode`.

    Args:
        first: Its first frame.
        approach: What the picture did before it.
        history: Committed frames before ``first``, oldest first.
        params: Thresholds.
        tail_len: How many of its last frames' levels to keep.
    """

    def __init__(self, first: LabelledFrame, approach: Approach, history: Sequence[LabelledFrame],
                 params: ShotParams, tail_len: int) -> None:
        self._p = params
        self._approach = approach
        self._first = first.sig
        self._last = first.sig
        self._runs: list[LossRun] = []
        self._core_faded = False
        self._core_before: FrameRef | None = None
        self._core_onset: FrameRef | None = None
        self._core_seen = False
        self._tail: deque[tuple[FrameRef, float]] = deque(maxlen=max(2, tail_len))
        self.add(first, history)

    @property
    def label(self) -> Label:
        """Label of its current (last) run."""
        return self._runs[-1].label

    def add(self, frame: LabelledFrame, history: Sequence[LabelledFrame]) -> None:
        """Append the next committed frame (labelled by :func:`committed_label`)."""
        label = frame.label
        if label in LOSS_LABELS and not self._core_seen:
            self._core_seen = True
            self._core_faded = entered_by_fade(history, self._p)
            self._core_before = ref(history[-1]) if history else None
            self._core_onset = break_up_onset(history, self._p) if label == Label.BROKEN else None
            self._core_onset = self._core_onset or ref(frame)
        r = ref(frame)
        if self._runs and self._runs[-1].label == label:
            run = self._runs[-1]
            self._runs[-1] = LossRun(label, run.first, r, run.n + 1)
        else:
            self._runs.append(LossRun(label, r, r, 1))
        self._tail.append((r, frame.sig.mean))
        self._last = frame.sig

    def build(self) -> LossEpisode:
        """The finished episode."""
        return LossEpisode(
            runs=tuple(self._runs),
            approach=self._approach,
            first=self._first,
            last=self._last,
            core_faded=self._core_faded,
            core_before=self._core_before,
            core_onset=self._core_onset,
            tail=tuple(self._tail),
        )
