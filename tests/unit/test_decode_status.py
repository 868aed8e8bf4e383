"""DecodeTracker: gaps, damaged frames, timestamp jumps and short ends -> ClipStatus."""

from __future__ import annotations

import pytest

from vidtools.decode_status import DecodeTracker


def feed(tracker: DecodeTracker, n: int, fps: float = 10.0, *, first: int = 0, t0: float = 0.0, damaged=()) -> None:
    for k in range(n):
        i = first + k
        tracker.frame(i, t0 + k / fps, damaged=i in damaged)


def test_clean_clip_that_matches_its_header_is_complete():
    tr = DecodeTracker(100, 10.0, 0.1)
    feed(tr, 100)
    st = tr.finish()
    assert (st.state, st.reason, st.frames_decoded, st.last_good_frame, st.gaps) == ("complete", None, 100, 99, ())
    assert st.last_good_t == pytest.approx(9.9)


def test_cut_short_by_count_and_duration():
    tr = DecodeTracker(100, 10.0, 0.1)
    feed(tr, 40)
    st = tr.finish()
    assert st.state == "partial" and st.frames_declared == 100 and st.frames_decoded == 40
    assert "cut short: decoding ended at 3.900 s of the 10.000 s" in st.reason
    assert "40 of the 100 frames the header declares" in st.reason
    assert st.last_good_frame == 39 and st.gaps == ()


def test_one_missing_frame_of_an_exact_count_is_partial_unless_the_container_discards_it():
    tr = DecodeTracker(101, 10.1, 0.1)
    feed(tr, 100)
    assert tr.finish().state == "partial"  # the sample count of an MP4 / AVI is exact
    tr = DecodeTracker(101, 10.0, 0.1)
    tr.discarded()  # an edit list hides one frame: not missing
    feed(tr, 100)
    assert tr.finish().state == "complete"


def test_container_duration_is_given_slack_for_a_longer_audio_track():
    tr = DecodeTracker(None, 10.2, 0.1, duration_is_video=False)  # audio runs 0.2 s longer
    feed(tr, 100)
    assert tr.finish().state == "complete"
    tr = DecodeTracker(None, 10.2, 0.1, duration_is_video=True)  # the video's own duration: 2 frames short
    feed(tr, 100)
    assert tr.finish().state == "partial"


def test_failed_packets_make_one_gap_between_good_frames_and_are_not_counted_as_missing():
    tr = DecodeTracker(30, 3.0, 0.1)
    feed(tr, 10)
    for _ in range(5):
        tr.error("Invalid data found when processing input")
    feed(tr, 15, first=10, t0=1.5, damaged={10, 11})
    st = tr.finish()
    assert st.state == "partial" and len(st.gaps) == 1
    g = st.gaps[0]
    assert (g.after_frame, g.start_t, g.end_t) == (9, pytest.approx(0.9), pytest.approx(1.7))
    assert "5 packet(s) could not be decoded: Invalid data" in g.reason and "2 frame(s) decoded with errors" in g.reason
    assert "frames missing" not in st.reason  # the 5 failed packets explain the 5 missing frames


def test_damage_that_never_recovers_is_an_open_gap():
    tr = DecodeTracker(None, None, 0.04)
    feed(tr, 20, fps=25)
    tr.frame(20, 0.8, damaged=True)
    st = tr.finish()
    assert st.state == "partial" and st.gaps[-1].end_t is None and "did not recover" in st.gaps[-1].reason
    assert st.last_good_frame == 19


def test_timestamp_jump_is_a_gap_only_without_an_index():
    for jumps, state in ((True, "partial"), (False, "complete")):
        tr = DecodeTracker(None, None, 0.04, jumps_are_gaps=jumps)
        feed(tr, 10, fps=25)
        feed(tr, 10, fps=25, first=10, t0=3.0)  # 2.64 s without a frame
        st = tr.finish()
        assert st.state == state, jumps


def test_jump_message_and_segment_limits():
    tr = DecodeTracker(None, None, 0.04, jumps_are_gaps=True, start=5.0)
    feed(tr, 10, fps=25)
    feed(tr, 10, fps=25, first=10, t0=3.0)  # a gap before the segment start is not reported
    assert tr.finish().state == "complete"
    tr = DecodeTracker(100, 10.0, 0.1, end=4.0)
    feed(tr, 40)  # decoding stopped at the segment end: not cut short
    assert tr.finish(reached_end_of_file=False).state == "complete"
    tr = DecodeTracker(None, None, 0.04, jumps_are_gaps=True)
    feed(tr, 10, fps=25)
    feed(tr, 10, fps=25, first=10, t0=3.0)
    assert "no frame for 2.600 s (timestamps jump" in tr.finish().gaps[0].reason
