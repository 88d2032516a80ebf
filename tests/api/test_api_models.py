"""The model registry: fitted models outlive key creation and audience exports, not data writes."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from micromix.api.models import ModelRegistry
from micromix.errors import NotFittedError


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A file-backed service with a demo market and a fitted mix model, through the API."""
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app, seed_demo
    from micromix.store import Store

    db = tmp_path_factory.mktemp("svc") / "m.duckdb"
    store = Store.open(db)
    seed_demo(store, users=2_500, days=56, seed=4)
    svc = Service(store, ServiceConfig(demo=False, rate=0))
    admin = svc.keys.create("admin", name="t")[0]
    analyst = svc.keys.create("analyst", name="t")[0]
    with TestClient(create_app(svc), raise_server_exceptions=False) as client:
        fit = client.post("/api/v1/mmm/fit", headers={"Authorization": f"Bearer {analyst}"})
        assert fit.status_code == 200, fit.text
        yield client, svc, {"admin": admin, "analyst": analyst}
    store.close()


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_optimizer_still_answers_after_a_key_and_an_audience_export(fitted):
    client, svc, keys = fitted
    v0 = svc.data_version()
    entry = svc.models.current("mmm")
    assert entry is not None and entry.revision == 1
    made = client.post("/api/v1/keys", json={"role": "viewer"}, headers=_h(keys["admin"]))
    assert made.status_code == 201
    assert svc.data_version() == v0  # a key is not data
    opt = client.post("/api/v1/optimize", json={"budget": 1000.0}, headers=_h(keys["analyst"]))
    # beyond twice what the channels were ever given: refused unless asked to extrapolate
    assert opt.status_code == 422 and '\\"extrapolate\\": true' in opt.text, opt.text
    assert "--" not in opt.json()["message"]  # no CLI flags over the API
    extra = client.post(
        "/api/v1/optimize",
        json={"budget": 1000.0, "bounds": {"x": [0, 1]}},
        headers=_h(keys["analyst"]),
    )
    assert extra.status_code == 422  # a field the optimizer does not read is refused
    opt = client.post(
        "/api/v1/optimize",
        json={"budget": 1000.0, "extrapolate": True},
        headers=_h(keys["analyst"]),
    )
    assert opt.status_code == 200, opt.text
    exp = client.post(
        "/api/v1/audience/export", json={"policy": "micro"}, headers=_h(keys["analyst"])
    )
    assert exp.status_code == 200, exp.text
    assert svc.data_version() == v0  # nor is the audit record of an export
    again = client.post(
        "/api/v1/optimize",
        json={"budget": 1000.0, "extrapolate": True},
        headers=_h(keys["analyst"]),
    )
    assert again.status_code == 200, again.text
    assert again.json()["recommended"]["budget"] == pytest.approx(1000.0)
    info = client.get("/api/v1/mmm", headers=_h(keys["analyst"])).json()
    assert info["fitted"] and info["model"]["revision"] == 1 and info["outcome"] == "revenue"
    # the audit log did record both
    actions = set(svc.store.read("audit_log")["action"])
    assert {"key.create", "audience.export"} <= actions


def test_a_data_write_makes_the_model_stale_and_a_refit_versions_it(fitted):
    client, svc, keys = fitted
    before = svc.models.latest("mmm")
    events = [
        {
            "event_id": f"stale-{i}",
            "ts": "2024-03-01T10:00:00Z",
            "user_id": "u-stale",
            "event_type": "click",
            "platform": "instagram",
        }
        for i in range(3)
    ]
    r = client.post("/api/v1/events", json=events, headers=_h(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert svc.models.current("mmm") is None
    stale = client.post("/api/v1/optimize", json={"budget": 10.0}, headers=_h(keys["analyst"]))
    assert stale.status_code == 409 and "data changed" in stale.json()["message"]
    assert client.get("/api/v1/mmm", headers=_h(keys["analyst"])).json() == {"fitted": False}
    refit = client.post("/api/v1/mmm/fit", headers=_h(keys["analyst"])).json()
    assert refit["model"]["revision"] == before.revision + 1
    assert refit["model"]["data_version"] == svc.data_version()


def test_models_are_saved_with_their_data_and_reloaded_while_it_matches(fitted, tmp_path):
    _, svc, _ = fitted
    folder = svc.models.folder
    assert folder is not None and (folder / "mmm.pkl").exists() and (folder / "mmm.json").exists()
    again = ModelRegistry(svc.data_version, svc.data_fingerprint, folder)
    assert again.load_saved() == ["mmm"]
    assert (
        again.current("mmm").model.model.channels == svc.models.current("mmm").model.model.channels
    )
    # different data (another fingerprint): the saved model is not used
    other = ModelRegistry(lambda: 0, lambda: {"events": -1}, folder)
    assert other.load_saved() == []
    # a tampered file is ignored
    (folder / "mmm.pkl").write_bytes(b"not a pickle of ours")
    third = ModelRegistry(svc.data_version, svc.data_fingerprint, folder)
    assert third.load_saved() == []


def test_registry_fits_once_per_name_and_data_version():
    version = [0]
    calls = []
    reg = ModelRegistry(lambda: version[0], lambda: {"t": version[0]})

    def slow_fit():
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(reg.fit("m", slow_fit).model))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [1, 1, 1]
    with pytest.raises(NotFittedError, match="not fitted"):
        reg.require("other", "fit it first")
    version[0] += 1
    with pytest.raises(NotFittedError, match="the data changed"):
        reg.require("m", "fit it again")
    assert reg.fit("m", slow_fit).revision == 2 and reg.names() == ["m"]


def test_a_write_made_during_a_fit_leaves_the_result_stale():
    version = [0]
    reg = ModelRegistry(lambda: version[0], dict)

    def fit_while_data_changes():
        version[0] += 1  # a write lands while the model is being fitted
        return "model"

    entry = reg.fit("m", fit_while_data_changes)
    assert entry.data_version == 0 and reg.current("m") is None


def test_reads_do_not_wait_for_a_write_in_progress(tmp_path):
    from micromix.api import Service, ServiceConfig
    from micromix.store import Store

    svc = Service(Store.open(tmp_path / "r.duckdb"), ServiceConfig(demo=False))
    svc.write(lambda st: st.append("notes", pd.DataFrame({"k": [1]})))
    started, release = threading.Event(), threading.Event()

    def long_write(st):
        with st.transaction():
            st.append("notes", pd.DataFrame({"k": [2]}))
            started.set()
            release.wait(10)

    writer = threading.Thread(target=lambda: svc.write(long_write))
    writer.start()
    assert started.wait(10)
    t0 = time.perf_counter()
    seen = svc.read(lambda st: st.count("notes"))
    waited = time.perf_counter() - t0
    release.set()
    writer.join()
    # the read saw the committed snapshot while the write transaction was open
    assert seen == 1 and waited < 5
    assert svc.read(lambda st: st.count("notes")) == 2
    svc.store.close()


def test_cached_results_follow_the_data_version_not_key_writes(service):
    calls = []
    key = ("probe", time.time())
    assert service.cached(key, lambda: calls.append(1) or len(calls)) == 1
    service.keys.create("viewer", name="cache-probe")
    assert service.cached(key, lambda: calls.append(1) or len(calls)) == 1
    assert service.peek(key) == 1


class FakeClock:
    """The service cache's clock, moved by hand: a result's age is what the test says, however
    long the machine takes (no sleeps, no wall-clock windows)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


#: how long a thread that must be blocked is given to (wrongly) finish; and how long one that
#: must finish may take on a loaded machine
BLOCKED_FOR = 1.0
FINISHES_WITHIN = 30.0


def _service(tmp_path, clock, *, stale_seconds, refresh_seconds):
    from micromix.api import Service, ServiceConfig
    from micromix.store import Store

    config = ServiceConfig(demo=False, stale_seconds=stale_seconds, refresh_seconds=refresh_seconds)
    return Service(Store.open(tmp_path / "s.duckdb"), config, clock=clock)


def _service_with_a_result_before_a_write(tmp_path, stale_seconds, clock):
    """A service whose cache holds ``"before"`` for a key (computed at ``clock``'s now)."""
    svc = _service(tmp_path, clock, stale_seconds=stale_seconds, refresh_seconds=0.0)
    assert svc.cached(("kpis-probe",), lambda: "before", stale_ok=True) == "before"
    return svc


def _in_thread(fn):
    got: list[str] = []
    t = threading.Thread(target=lambda: got.append(fn()))
    t.start()
    return t, got


def _still_blocked(thread: threading.Thread) -> bool:
    thread.join(BLOCKED_FOR)
    return thread.is_alive()


def test_reads_during_a_recomputation_take_the_recent_result_but_a_writer_sees_its_write(
    tmp_path,
):
    clock = FakeClock()
    svc = _service_with_a_result_before_a_write(tmp_path, 60.0, clock)
    key = ("kpis-probe",)
    clock.advance(0.05)
    svc.write(lambda st: st.append("notes", pd.DataFrame({"k": [1]})), by="k1")
    started, release = threading.Event(), threading.Event()

    def slow_fresh() -> str:
        started.set()
        release.wait(10)
        return "after"

    # another key's read: answered at once, the newer result computed in the background
    t0 = time.perf_counter()
    assert svc.cached(key, slow_fresh, stale_ok=True) == "before"
    assert time.perf_counter() - t0 < 5 and started.wait(FINISHES_WITHIN)
    assert svc.cached(key, str, stale_ok=True) == "before"
    # the writing key never reads a result older than its write: it waits for the new one
    writer, got = _in_thread(
        lambda: svc.cached(key, str, stale_ok=True, at_least=svc.written_version("k1"))
    )
    assert _still_blocked(writer) and got == []
    # nor does an endpoint that does not allow recent results
    strict, got_strict = _in_thread(lambda: svc.cached(key, str))
    assert _still_blocked(strict)
    # one background computation per key: a further write starts no second one meanwhile
    svc.write(lambda st: st.append("notes", pd.DataFrame({"k": [2]})), by="k2")
    calls: list[int] = []
    assert svc.cached(key, lambda: calls.append(1) or "x", stale_ok=True) == "before"
    assert svc.peek(key, stale_ok=True) == "before" and svc.peek(key) is None
    assert calls == []
    release.set()
    writer.join(FINISHES_WITHIN)
    strict.join(FINISHES_WITHIN)
    assert got == ["after"] and got_strict == ["after"]
    # "after" was computed before k2's write: k2 waits for a result that includes it
    assert svc.cached(key, lambda: "after k2", stale_ok=True, at_least=svc.written_version("k2"))
    assert svc.cached(key, str, stale_ok=True) == "after k2"
    svc.close()
    svc.store.close()


@pytest.mark.parametrize("stale_seconds", [0.0, 0.2])
def test_no_recent_result_when_disabled_or_older_than_the_bound(tmp_path, stale_seconds):
    clock = FakeClock()
    svc = _service_with_a_result_before_a_write(tmp_path, stale_seconds, clock)
    key = ("kpis-probe",)
    clock.advance(0.3)  # the result before the write is now 0.3 s old
    svc.write(lambda st: st.append("notes", pd.DataFrame({"k": [1]})))
    started, release = threading.Event(), threading.Event()

    def slow_fresh() -> str:
        started.set()
        release.wait(10)
        return "after"

    owner, got_owner = _in_thread(lambda: svc.cached(key, slow_fresh, stale_ok=True))
    assert started.wait(FINISHES_WITHIN)
    other, got = _in_thread(lambda: svc.cached(key, str, stale_ok=True))
    assert _still_blocked(other) and owner.is_alive()  # both wait for the newest data
    release.set()
    owner.join(FINISHES_WITHIN)
    other.join(FINISHES_WITHIN)
    assert got_owner == got == ["after"]
    svc.close()
    svc.store.close()


def test_a_young_recent_result_is_not_recomputed_until_refresh_seconds(tmp_path):
    clock = FakeClock()
    svc = _service(tmp_path, clock, stale_seconds=60.0, refresh_seconds=0.3)
    key = ("kpis-probe",)
    assert svc.cached(key, lambda: "before", stale_ok=True) == "before"
    svc.write(lambda st: st.append("notes", pd.DataFrame({"k": [1]})), by="k1")
    calls: list[int] = []

    def fresh() -> str:
        calls.append(1)
        return "after"

    # younger than refresh_seconds: answered from the recent result, nothing recomputed
    assert svc.cached(key, fresh, stale_ok=True) == "before"
    assert svc.peek(key, stale_ok=True) == "before"
    assert calls == []
    # the writer itself never gets a result older than its write
    assert svc.cached(key, fresh, stale_ok=True, at_least=svc.written_version("k1")) == "after"
    assert calls == [1]
    svc.write(lambda st: st.append("notes", pd.DataFrame({"k": [2]})), by="k2")
    clock.advance(0.29)  # still younger than refresh_seconds: nothing recomputed
    assert svc.cached(key, fresh, stale_ok=True) == "after" and calls == [1]
    clock.advance(0.06)  # older than refresh_seconds: the next read starts a background refresh
    assert svc.cached(key, fresh, stale_ok=True) == "after"
    deadline = time.monotonic() + FINISHES_WITHIN
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(calls) == 2
    svc.close()
    svc.store.close()
