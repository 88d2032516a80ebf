"""Key hashing, the rate limiter and the audit log as plain library code."""

from __future__ import annotations

import pytest

from micromix.api.audit import read_audit, record_audit
from micromix.api.keys import KeyRing, create_key, list_keys, revoke_key, role_allows, verify_key
from micromix.api.ratelimit import RateLimiter
from micromix.errors import ConfigError
from micromix.store import Store


def test_api_keys_roundtrip_and_tampering():
    st = Store.open(":memory:")
    secret, rec = create_key(st, "analyst", name="ci")
    assert secret.startswith(f"mmx_{rec.key_id}_")
    assert verify_key(st, secret).role == "analyst"
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert verify_key(st, tampered) is None
    assert verify_key(st, f"mmx_{'0' * 12}_{secret.split('_', 2)[2]}") is None
    assert verify_key(st, "") is None
    other, _ = create_key(st, "viewer")
    revoke_key(st, rec.key_id)
    assert verify_key(st, secret) is None and verify_key(st, other) is not None
    assert [k.revoked for k in list_keys(st)] == [True, False]
    with pytest.raises(ConfigError, match="role"):
        create_key(st, "root")
    with pytest.raises(ConfigError, match="no API key"):
        revoke_key(st, "ffffffffffff")


def test_api_keyring_forgets_revoked_keys():
    st = Store.open(":memory:")
    ring = KeyRing(st)
    secret, rec = ring.create("viewer")
    assert ring.verify(secret) is not None and ring.remembered(secret) is not None
    ring.revoke(rec.key_id)
    assert ring.remembered(secret) is None and ring.verify(secret) is None


def test_api_roles_are_ordered():
    assert role_allows("admin", "viewer") and role_allows("analyst", "analyst")
    assert not role_allows("viewer", "analyst") and not role_allows("analyst", "admin")


def test_api_token_bucket():
    rl = RateLimiter(rate=2.0, burst=2)
    assert [rl.take("a", now=10.0)[0] for _ in range(3)] == [True, True, False]
    allowed, wait = rl.take("a", now=10.0)
    assert not allowed and wait == pytest.approx(0.5)
    assert rl.take("a", now=10.5)[0] and not rl.take("a", now=10.5)[0]
    assert rl.take("b", now=10.5)[0]
    assert all(RateLimiter(rate=0, burst=1).take("x")[0] for _ in range(100))


def test_api_audit_log_is_append_only_and_newest_first():
    st = Store.open(":memory:")
    record_audit(st, action="key.create", requested_by="admin:cli", target="k1")
    record_audit(
        st,
        action="audience.export",
        requested_by="analyst:k2",
        target="a",
        rows=5,
        details={"size": 5},
    )
    log = read_audit(st)
    assert log["action"].tolist() == ["audience.export", "key.create"]
    assert int(log["rows_deleted"].iloc[0]) == 5
    with pytest.raises(ValueError, match="unknown audit action"):
        record_audit(st, action="drop", requested_by="x")
