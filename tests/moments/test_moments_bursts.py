"""Burst and gap detection: detectors, guards, batch vs streaming agreement."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from micromix.errors import ConfigError, DataValidationError
from micromix.moments import BurstSpec, BurstStream, available_detectors, detect_bursts
from micromix.moments.bursts import ALL_KEYS
from micromix.moments.detectors import DETECTORS, BurstDetector, CusumDetector, get_detector
from micromix.moments.evaluate import zipf_events

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GNIP = DATA / "social" / "gnip_trend_example_scotus_hourly.csv"
T0 = pd.Timestamp("2024-03-04", tz="UTC")  # a Monday
GOLDEN = Path(__file__).with_name("data") / "bursts_before_issue14.csv"


def seasonal_counts(hours: int, seed: int = 0, level: float = 30.0) -> np.ndarray:
    """Hourly Poisson counts with a daily and a weekly cycle."""
    rng = np.random.default_rng(seed)
    h = np.arange(hours)
    daily = 1 + 0.6 * np.sin(2 * np.pi * (h % 24 - 6) / 24)
    weekly = np.where((h // 24) % 7 >= 5, 0.6, 1.0)
    return rng.poisson(level * daily * weekly)


def events_from_counts(counts_by_key: dict[str, np.ndarray], seed: int = 1) -> pd.DataFrame:
    """One row per event, at a random second within its hour."""
    rng = np.random.default_rng(seed)
    parts = []
    for key, counts in counts_by_key.items():
        hours = np.repeat(np.arange(len(counts)), counts)
        secs = hours * 3600 + rng.integers(0, 3600, len(hours))
        parts.append(pd.DataFrame({"secs": secs, "key": key}))
    df = pd.concat(parts, ignore_index=True).sort_values("secs", kind="stable")
    df["ts"] = T0 + pd.to_timedelta(df["secs"], unit="s")
    return df.reset_index(drop=True)


def golden_cases(**extra) -> pd.DataFrame:
    """The decisions on two datasets with every detector (``extra``: BurstSpec options)."""
    counts = {
        k: seasonal_counts(24 * 16, seed=10 + i, level=12 + 8 * i)
        for i, k in enumerate(["a", "b", "c"])
    }
    counts["a"][24 * 12 + 5 : 24 * 12 + 8] += 90
    for c in counts.values():
        c[24 * 11 : 24 * 11 + 6] = 0
    seasonal = events_from_counts(counts, seed=3)
    zipf = zipf_events(60_000, keys=200, seed=5)
    parts = []
    for det in ("poisson", "ewma", "cusum"):
        spec = BurstSpec(freq="5min", n_weeks=0, n_days=0, min_history=12, detector=det, **extra)
        o = detect_bursts(zipf, time_col="ts", key_col="key", spec=spec)
        parts.append(o.assign(case="zipf_5min_" + det))
        o = detect_bursts(
            seasonal, time_col="ts", key_col="key", spec=BurstSpec(detector=det, **extra)
        )
        parts.append(o.assign(case="seasonal_1h_" + det))
    out = pd.concat(parts, ignore_index=True)
    return out.drop(columns=[c for c in ["hours", "ratio"] if c in out.columns])


def test_decisions_are_unchanged_with_the_new_checks_off():
    """Issue 17: the faster engine makes today's decisions. The golden file was written by the
    engine before issue 14 (commit 455f474) on the same data; with per-key coverage and level
    shifts off, the new engine must reproduce it row for row."""
    golden = pd.read_csv(GOLDEN)
    got = golden_cases(key_gaps=False, shift_window=0)
    got = pd.read_csv(io.StringIO(got.to_csv(index=False)))  # the same text round trip
    pd.testing.assert_frame_equal(got, golden)


def test_registry_and_round_trip():
    assert available_detectors() == ["cusum", "ewma", "poisson"]
    for name in available_detectors():
        det = get_detector(name)
        assert BurstDetector.from_dict(det.to_dict()) == det
        assert det.lookup_name == name
    with pytest.raises(ConfigError, match="unknown burst detector 'zscore'"):
        get_detector("zscore")
    with pytest.raises(ConfigError, match=r"alpha=0\.7"):
        get_detector("poisson", alpha=0.7)
    # the shared Registry: instances pass through, dicts take extra parameters, bad ones say so
    det = get_detector("ewma", z=3.0)
    assert get_detector(det) is det
    assert get_detector({"lookup_name": "ewma"}, z=3.0) == det
    assert DETECTORS.get("CUSUM") is CusumDetector
    with pytest.raises(ConfigError, match="has no 'lookup_name'"):
        BurstDetector.from_dict({"z": 3.0})
    with pytest.raises(ConfigError, match="'ewma' does not take these parameters"):
        get_detector("ewma", alpha=0.1)
    with pytest.raises(ConfigError, match="cannot be applied to an existing burst detector"):
        get_detector(det, z=2.0)


def test_spec_validates_and_round_trips():
    spec = BurstSpec(freq="15min", detector="ewma", detector_params={"z": 3.0})
    assert BurstSpec(**spec.to_dict()) == spec
    assert spec.width == 900
    with pytest.raises(ConfigError, match="freq='soon'"):
        BurstSpec(freq="soon")
    with pytest.raises(ConfigError, match=r"gap_ratio=1\.5"):
        BurstSpec(gap_ratio=1.5)


@pytest.mark.parametrize("detector", ["poisson", "ewma", "cusum"])
def test_injected_surge_is_found_and_seasonality_is_not(detector):
    counts = seasonal_counts(24 * 28, seed=2)
    counts[24 * 20 + 13 : 24 * 20 + 16] += 120  # a 3-hour surge on day 20
    df = pd.DataFrame(
        {
            "ts": T0 + pd.to_timedelta(np.arange(len(counts)), unit="h"),
            "n": counts,
            "key": "buy | dog food",
        }
    )
    out = detect_bursts(
        df, time_col="ts", key_col="key", count_col="n", spec=BurstSpec(detector=detector)
    )
    bursts = out[out["kind"] == "burst"]
    surge = T0 + pd.Timedelta(hours=24 * 20 + 13)
    assert ((bursts["start"] <= surge + pd.Timedelta(hours=2)) & (bursts["end"] > surge)).any()
    # the daily and weekly cycle alone raises (almost) nothing after the first week
    late = bursts[bursts["start"] > T0 + pd.Timedelta(days=8)]
    assert len(late) <= 2


def test_gap_followed_by_normal_volume_is_a_gap_not_a_burst():
    counts = {k: seasonal_counts(24 * 21, seed=i) for i, k in enumerate(["a", "b", "c"])}
    gap = slice(24 * 15 + 2, 24 * 15 + 14)  # 12 hours of collection outage on day 15
    for c in counts.values():
        c[gap] = 0
    df = events_from_counts(counts)
    for detector in available_detectors():
        out = detect_bursts(df, time_col="ts", key_col="key", spec=BurstSpec(detector=detector))
        gaps = out[out["kind"] == "gap"]
        assert len(gaps) == 1, (detector, out)
        assert gaps.iloc[0]["start"] == T0 + pd.Timedelta(hours=24 * 15 + 2)
        assert gaps.iloc[0]["end"] == T0 + pd.Timedelta(hours=24 * 15 + 14)
        assert gaps.iloc[0]["key"] == "*"
        after = out[
            (out["kind"] == "burst")
            & (out["start"] >= T0 + pd.Timedelta(hours=24 * 15 + 14))
            & (out["start"] < T0 + pd.Timedelta(hours=24 * 17))
        ]
        assert after.empty, (detector, after)


def test_a_naive_trailing_baseline_would_call_the_recovery_a_burst():
    """Control: without the coverage guard the same data does produce a burst after the gap."""
    counts = seasonal_counts(24 * 21, seed=4)
    counts[24 * 15 : 24 * 16] = 0
    s = pd.Series(counts, dtype=float)
    naive = s.rolling(12, min_periods=1).mean().shift(1)
    z = (s - naive) / np.sqrt(naive.clip(lower=1))
    assert (z.iloc[24 * 16 : 24 * 16 + 6] > 4).any()
    df = pd.DataFrame({"ts": T0 + pd.to_timedelta(np.arange(len(counts)), unit="h"), "n": counts})
    out = detect_bursts(df, time_col="ts", count_col="n")
    assert (out["kind"] == "gap").sum() == 1
    assert out[(out["kind"] == "burst") & (out["start"] >= T0 + pd.Timedelta(days=16))].empty


def surge_then_ordinary(seed: int = 0, factor: float = 8.0, shape: float = 20.0) -> np.ndarray:
    """22 days of hourly counts of one hashtag (daily cycle, gamma-Poisson overdispersion of
    shape ``shape``) with a surge of ``factor`` x its level for 3 days from day 8, 06:00 (long
    enough to be a level shift), then ordinary traffic again."""
    rng = np.random.default_rng(seed)
    h = np.arange(22 * 24)
    mu = 30.0 * (1 + 0.6 * np.sin(2 * np.pi * (h % 24 - 6) / 24))
    mu = mu * rng.gamma(shape, 1 / shape, len(h))
    mu[24 * 8 + 6 : 24 * 11 + 6] *= factor
    return rng.poisson(mu)


def _hourly(counts: np.ndarray, key: str = "#tag") -> pd.DataFrame:
    return pd.DataFrame(
        {"ts": T0 + pd.to_timedelta(np.arange(len(counts)), unit="h"), "n": counts, "k": key}
    )


@pytest.mark.parametrize("detector", ["poisson", "ewma", "cusum"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ordinary_traffic_after_a_big_surge_is_no_collection_outage(detector, seed):
    counts = surge_then_ordinary(seed)
    s = pd.Series(counts, dtype=float)
    # control: the mean of the same hour one and two weeks back (the seasonal baseline of the
    # total before issue s25b) holds the surge, so the ordinary week after it looks like a
    # collapse: far below 20 % of it, with Poisson probability < 1e-6
    weekly = (s.shift(168) + s.shift(336)) / 2
    week3 = slice(24 * 15 + 6, 24 * 18 + 6)
    low = (s < 0.2 * weekly) & (special.gammaincc(s + 1, weekly) < 1e-6)
    assert low.iloc[week3].sum() >= 5
    out = detect_bursts(
        _hourly(counts),
        time_col="ts",
        key_col="k",
        count_col="n",
        spec=BurstSpec(detector=detector),
    )
    assert not (out["kind"] == "gap").any(), out[out["kind"] == "gap"]
    assert (out["kind"] == "level_shift").any()  # the surge itself is still seen


@pytest.mark.parametrize("detector", ["poisson", "ewma", "cusum"])
def test_a_true_collection_stop_after_a_big_surge_is_an_outage(detector):
    counts = surge_then_ordinary(0)
    counts[24 * 15 + 2 : 24 * 15 + 8] = 0  # six hours of nothing, in the week after the surge
    spec = BurstSpec(detector=detector)
    df = _hourly(counts)
    out = detect_bursts(df, time_col="ts", key_col="k", count_col="n", spec=spec)
    gaps = out[out["kind"] == "gap"]
    assert gaps[["key", "start", "end"]].values.tolist() == [
        [ALL_KEYS, T0 + pd.Timedelta(hours=24 * 15 + 2), T0 + pd.Timedelta(hours=24 * 15 + 8)]
    ]
    assert gaps["observed"].iloc[0] == 0 and gaps["expected"].iloc[0] > 50
    after = out[(out["kind"] == "burst") & (out["start"] >= gaps["end"].iloc[0])]
    assert after[after["start"] < gaps["end"].iloc[0] + pd.Timedelta(hours=24)].empty


def test_an_outage_in_a_swinging_series_is_dated_from_its_first_quiet_hour():
    """A series that swings a lot from hour to hour: one silent hour alone is no proof, a run
    of them is; the outage is then dated from the run's first hour, in batch and live."""
    rng = np.random.default_rng(3)
    h = np.arange(21 * 24)
    counts = rng.poisson(20 * rng.gamma(2.0, 1 / 2.0, len(h)))
    stop = 24 * 16 + 3
    counts[stop - 1] = 20  # an ordinary hour before it
    counts[stop : stop + 5] = 0
    df = _hourly(counts)
    spec = BurstSpec()
    out = detect_bursts(df, time_col="ts", key_col="k", count_col="n", spec=spec)
    gaps = out[out["kind"] == "gap"]
    assert gaps[["key", "start", "end"]].values.tolist() == [
        [ALL_KEYS, T0 + pd.Timedelta(hours=stop), T0 + pd.Timedelta(hours=stop + 5)]
    ]
    stream = BurstStream(spec)
    secs = (df["ts"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    alerts = [a for t, n in zip(secs, counts) for a in stream.add(float(t), "#tag", float(n))]
    pd.testing.assert_frame_equal(stream.flush(), out)
    gap_alerts = [a for a in alerts if a.kind == "gap"]
    assert [a.bucket_start for a in gap_alerts] == [T0 + pd.Timedelta(hours=stop)]
    # confirmed after its first hour: alerted on an event later than the hour it is dated from
    acted = stream.acted()
    row = acted[acted["kind"] == "gap"].iloc[0]
    assert row["start"] == T0 + pd.Timedelta(hours=stop) and row["alerted_at"] > row["start"]


def _stream(df: pd.DataFrame, spec: BurstSpec) -> tuple[pd.DataFrame, list]:
    s = BurstStream(spec)
    alerts = []
    secs = (df["ts"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    for t, k in zip(secs, df["key"]):
        alerts.extend(s.add(float(t), k))
    return s.flush(), alerts


@pytest.mark.parametrize("detector", ["poisson", "ewma", "cusum"])
@pytest.mark.parametrize("lateness", [0, 2])
def test_batch_and_streaming_agree(detector, lateness):
    counts = {
        k: seasonal_counts(24 * 16, seed=10 + i, level=12 + 8 * i)
        for i, k in enumerate(["buy | dog food", "go | vet", "know | parvo"])
    }
    counts["buy | dog food"][24 * 12 + 5 : 24 * 12 + 8] += 90
    counts["go | vet"][24 * 9 + 20] += 60
    for c in counts.values():
        c[24 * 11 : 24 * 11 + 6] = 0
    df = events_from_counts(counts, seed=3)
    spec = BurstSpec(detector=detector, lateness=lateness)
    batch = detect_bursts(df, time_col="ts", key_col="key", spec=spec)
    streamed, alerts = _stream(df, spec)
    pd.testing.assert_frame_equal(batch, streamed)
    assert (batch["kind"] == "burst").any() and (batch["kind"] == "gap").any()
    # every burst episode was alerted early, on an event inside its first bucket
    starts = {(a.key, a.bucket_start) for a in alerts if a.kind == "burst"}
    assert starts == set(
        zip(
            batch.loc[batch["kind"] == "burst", "key"], batch.loc[batch["kind"] == "burst", "start"]
        )
    )
    for a in alerts:
        if a.kind == "burst":
            assert a.event_ts >= a.bucket_start.timestamp()
            if lateness == 0:
                assert a.event_ts < a.bucket_start.timestamp() + 3600
            assert a.observed >= a.threshold


def test_stream_counts_late_events_and_ignores_them():
    s = BurstStream(BurstSpec(freq="1min"))
    s.add(0, "a")
    s.add(130, "a")
    assert s.add(10, "a") == []
    assert s.late == 1 and s.n_events == 2


def test_time_formats_and_bad_values():
    counts = seasonal_counts(24 * 10, seed=5)
    hours = T0 + pd.to_timedelta(np.arange(len(counts)), unit="h")
    compact = pd.DataFrame({"t": hours.strftime("%Y%m%d%H%M%S").astype("int64"), "n": counts})
    iso = pd.DataFrame({"t": hours.strftime("%Y-%m-%dT%H:%M:%SZ"), "n": counts})
    epoch_ms = pd.DataFrame({"t": (hours.asi8 // 10**6), "n": counts})
    outs = [detect_bursts(d, time_col="t", count_col="n") for d in (compact, iso, epoch_ms)]
    pd.testing.assert_frame_equal(outs[0], outs[1])
    pd.testing.assert_frame_equal(outs[0], outs[2])
    with pytest.raises(DataValidationError, match="'yesterday'"):
        detect_bursts(pd.DataFrame({"t": ["2024-01-01", "yesterday"]}), time_col="t")
    with pytest.raises(DataValidationError, match="count >= 0"):
        detect_bursts(pd.DataFrame({"t": ["2024-01-01"], "n": [-3]}), time_col="t", count_col="n")
    assert detect_bursts(pd.DataFrame({"t": []}), time_col="t").empty


def test_new_key_with_a_big_first_bucket_bursts_against_the_minimum_baseline():
    base = events_from_counts({"old": seasonal_counts(24 * 9, seed=6)})
    new = pd.DataFrame(
        {
            "ts": [T0 + pd.Timedelta(hours=24 * 8 + 3, seconds=i) for i in range(40)],
            "key": "new topic",
        }
    )
    df = pd.concat([base, new]).sort_values("ts", kind="stable")
    out = detect_bursts(df, time_col="ts", key_col="key")
    assert ((out["key"] == "new topic") & (out["kind"] == "burst")).sum() == 1


@pytest.mark.skipif(not GNIP.exists(), reason="needs ../shared/data/social (Gnip example)")
def test_gnip_scotus_series_bursts_include_the_known_spike():
    df = pd.read_csv(GNIP, header=None, names=["interval_start", "duration_s", "count", "name"])
    out = detect_bursts(
        df,
        time_col="interval_start",
        key_col="name",
        count_col="count",
        spec=BurstSpec(detector="cusum"),
    )
    peak = pd.Timestamp("2014-09-19 19:00", tz="UTC")  # the largest hourly count (1,018)
    b = out[out["kind"] == "burst"]
    hit = b[(b["start"] <= peak) & (b["end"] > peak)]
    assert len(hit) == 1 and hit["hours"].iloc[0] <= 12, hit  # a spike of hours, not days
    # the series steps up that morning and stays up for days: a level shift around the spike
    ls = out[out["kind"] == "level_shift"]
    assert ((ls["start"] <= peak) & (ls["start"] >= peak - pd.Timedelta(hours=24))).any()


@pytest.mark.skipif(not GNIP.exists(), reason="needs ../shared/data/social (Gnip example)")
def test_gnip_scotus_ordinary_traffic_after_the_august_surge_is_no_outage():
    """Issue s25b: the engine saw 6-8 collection outages on 2014-09-12..16 (by detector),
    because the total's expected count held the surge's week. The data show ordinary traffic
    there: the series has every hour, each with tweets, and each of those days is within half
    and twice the median day of 09-01..09-11."""
    df = pd.read_csv(GNIP, header=None, names=["interval_start", "duration_s", "count", "name"])
    ts = pd.to_datetime(df["interval_start"].astype(str), format="%Y%m%d%H%M%S", utc=True)
    hourly = pd.Series(df["count"].to_numpy(), index=ts)
    assert (hourly.index.to_series().diff().dropna() == pd.Timedelta(hours=1)).all()
    assert hourly.min() >= 3
    days = hourly.resample("D").sum()
    ref = days["2014-09-01":"2014-09-11"].median()
    assert days["2014-09-12":"2014-09-16"].between(0.5 * ref, 2 * ref).all(), days
    args = {"time_col": "interval_start", "key_col": "name", "count_col": "count"}
    for detector in ("poisson", "ewma", "cusum"):
        out = detect_bursts(df, **args, spec=BurstSpec(detector=detector))
        assert not (out["kind"] == "gap").any(), (detector, out[out["kind"] == "gap"])
    # a real stop there is still an outage: six hours zeroed after the September surge
    stop = pd.Timestamp("2014-09-22 04:00", tz="UTC")
    cut = ((ts >= stop) & (ts < stop + pd.Timedelta(hours=6))).to_numpy()
    out = detect_bursts(
        df.assign(count=np.where(cut, 0, df["count"])), **args, spec=BurstSpec(detector="cusum")
    )
    gaps = out[out["kind"] == "gap"]
    assert gaps[["key", "start", "end"]].values.tolist() == [
        [ALL_KEYS, stop, stop + pd.Timedelta(hours=6)]
    ]


def brand_series(seed: int = 0, days: int = 21, late_hour: int = 12 * 24 + 7, spike_at: int = 10):
    """Hourly mentions of four brands with a daily cycle and overdispersion (gamma-Poisson).

    ``android`` is collected only from ``late_hour`` on (its coverage begins while the others
    flow) and has a real 4-hour spike ``spike_at`` hours later; ``google``'s collection stops
    for 24 hours on day 6 and resumes.
    """
    rng = np.random.default_rng(seed)
    h = np.arange(days * 24)
    daily = 1 + 0.7 * np.sin(2 * np.pi * (h % 24 - 8) / 24)
    counts = {
        brand: rng.poisson(level * daily * rng.gamma(50, 1 / 50, len(h)))
        for brand, level in (("apple", 40), ("google", 25), ("android", 12), ("ipad", 18))
    }
    counts["android"][:late_hour] = 0
    spike = late_hour + spike_at
    counts["android"][spike : spike + 4] += rng.poisson(90, 4)
    counts["google"][6 * 24 + 5 : 7 * 24 + 5] = 0
    return events_from_counts(counts, seed=seed), T0 + pd.Timedelta(hours=spike)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("spike_at", [4, 10, 30])
def test_per_brand_coverage_start_is_not_a_burst_and_the_spike_is_hours(seed, spike_at):
    df, spike = brand_series(seed, spike_at=spike_at)
    out = detect_bursts(df, time_col="ts", key_col="key")
    late = T0 + pd.Timedelta(hours=12 * 24 + 7)
    android = out[out["key"] == "android"]
    b = android[android["kind"] == "burst"]
    # the real spike: one burst that covers it, hours long
    hit = b[(b["start"] <= spike + pd.Timedelta(hours=1)) & (b["end"] > spike)]
    assert len(hit) == 1, android
    assert hit["hours"].iloc[0] <= 12 and hit["start"].iloc[0] >= late, hit
    # the start of android's coverage is a level shift, never a burst
    assert not ((b["start"] <= late) & (b["end"] > late)).any(), android
    ls = android[android["kind"] == "level_shift"]
    assert ls["start"].tolist() == [late], android
    # google's collection stop is a gap of google (others kept flowing), dated exactly
    g = out[(out["key"] == "google") & (out["kind"] == "gap")]
    assert g[["start", "end"]].values.tolist() == [
        [T0 + pd.Timedelta(hours=6 * 24 + 5), T0 + pd.Timedelta(hours=7 * 24 + 5)]
    ], out[out["key"] == "google"]
    assert not (out["key"] == ALL_KEYS).any()  # the total never stopped
    # google's recovery is not a burst
    rec = out[(out["key"] == "google") & (out["kind"] == "burst")]
    assert rec[
        (rec["start"] >= g["end"].iloc[0])
        & (rec["start"] < g["end"].iloc[0] + pd.Timedelta(hours=24))
    ].empty


def test_control_without_coverage_per_key_the_brand_start_swallows_the_spike():
    """Control: with per-key coverage and level shifts off, the old failure comes back."""
    df, spike = brand_series(0, spike_at=10)
    late = T0 + pd.Timedelta(hours=12 * 24 + 7)
    old = detect_bursts(
        df, time_col="ts", key_col="key", spec=BurstSpec(key_gaps=False, shift_window=0)
    )
    b = old[(old["key"] == "android") & (old["kind"] == "burst")]
    first = b.iloc[0]
    assert first["start"] == late and first["end"] > spike  # one long burst from the start
    assert first["hours"] > 12
    assert not ((old["key"] == "google") & (old["kind"] == "gap")).any()


def test_level_shift_then_a_spike_on_the_new_level():
    rng = np.random.default_rng(7)
    n = 24 * 20
    level = np.where(np.arange(n) < 24 * 10 + 5, 10.0, 30.0)  # steps up and stays up
    counts = rng.poisson(level)
    counts[24 * 15 + 3 : 24 * 15 + 6] += 80
    df = pd.DataFrame({"ts": T0 + pd.to_timedelta(np.arange(n), unit="h"), "n": counts, "k": "x"})
    out = detect_bursts(df, time_col="ts", key_col="k", count_col="n", spec=BurstSpec(n_weeks=0))
    shifts = out[out["kind"] == "level_shift"]
    assert len(shifts) == 1
    assert abs(shifts["start"].iloc[0] - (T0 + pd.Timedelta(hours=24 * 10 + 5))) <= pd.Timedelta(
        hours=1
    )
    bursts = out[out["kind"] == "burst"]
    spike = T0 + pd.Timedelta(hours=24 * 15 + 3)
    assert bursts["start"].tolist() == [spike]
    assert bursts["hours"].tolist() == [3.0]


@pytest.mark.parametrize("detector", ["poisson", "ewma", "cusum"])
def test_batch_and_streaming_agree_on_shifts_and_key_gaps(detector):
    df, _ = brand_series(3, days=18, spike_at=6)
    spec = BurstSpec(detector=detector)
    batch = detect_bursts(df, time_col="ts", key_col="key", spec=spec)
    streamed, alerts = _stream(df, spec)
    pd.testing.assert_frame_equal(batch, streamed)
    assert {"burst", "gap", "level_shift"} <= set(batch["kind"])
    kinds = {(a.key, a.kind) for a in alerts}
    assert ("android", "level_shift") in kinds and ("google", "gap") in kinds
