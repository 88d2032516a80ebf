"""Consumers of the simulated market: traits, consent, platforms, and the ``audience`` table.

Every consumer has an age band, gender, region and pet; consent to personalised ads (never for
minors), a sale opt-out and Global Privacy Control; membership of each platform; a
responsiveness to marketing and a baseline daily purchase rate (both heterogeneous). The
``audience`` contract table is drawn last (its consent dates are not used by the market).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from micromix.simulate.config import SimConfig
from micromix.simulate.events import user_ids

__all__ = ["AGE_BANDS", "REGIONS", "REGION_P", "Consumers", "audience_table", "draw_consumers"]

AGE_BANDS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
_AGE_P = (0.03, 0.17, 0.27, 0.22, 0.16, 0.15)
REGIONS = ("US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "UK", "DE", "FR", "ES", "NL")
REGION_P = (0.16, 0.12, 0.12, 0.09, 0.06, 0.14, 0.12, 0.08, 0.06, 0.05)
_PETS = ("dog", "cat", "fish", "bird", "small_pets")
_GENDERS = ("female", "male", "other")


@dataclass
class Consumers:
    """The simulated consumers (one entry per user, users numbered from 0)."""

    age: np.ndarray
    gender: np.ndarray
    region: np.ndarray
    pet: np.ndarray
    consent_ads: np.ndarray
    opt_out: np.ndarray
    gpc: np.ndarray
    #: may be microtargeted: consented, not opted out, no GPC, adult
    targetable: np.ndarray
    #: (platforms, users) membership, platforms in ``SimConfig.platform_share`` order
    on_platform: np.ndarray
    #: responsiveness to marketing (weights who converts when a channel causes a purchase)
    resp: np.ndarray
    #: baseline purchase probability per day, without marketing
    base: np.ndarray
    #: the score microtargeting ranks users by (a noisy view of ``resp``)
    segment_score: np.ndarray

    @property
    def n(self) -> int:
        return len(self.age)

    @property
    def minor(self) -> np.ndarray:
        return self.age == 0


def draw_consumers(rng: np.random.Generator, cfg: SimConfig) -> Consumers:
    """Draw ``cfg.users`` consumers."""
    n = cfg.users
    age = rng.choice(len(AGE_BANDS), size=n, p=_AGE_P)
    gender = rng.choice(3, size=n, p=(0.52, 0.45, 0.03))
    region = rng.choice(len(REGIONS), size=n, p=REGION_P)
    pet = rng.choice(len(_PETS), size=n, p=(0.48, 0.36, 0.06, 0.04, 0.06))
    minor = age == 0
    consent_ads = (rng.random(n) < 0.72) & ~minor
    opt_out = rng.random(n) < 0.09
    gpc = rng.random(n) < 0.05
    on_platform = np.stack([rng.random(n) < cfg.platform_share[p] for p in cfg.platform_share])
    age_mult = np.array([0.6, 1.1, 1.3, 1.1, 0.9, 0.7])[age]
    pet_mult = np.array([1.25, 1.1, 0.7, 0.7, 0.8])[pet]
    resp = rng.lognormal(0.0, 0.6, n) * age_mult * pet_mult
    base = (
        cfg.base_purchase_rate * rng.gamma(2.0, 0.5, n) * np.array([1.2, 1.1, 0.7, 0.6, 0.8])[pet]
    )
    segment_score = np.log(resp) + rng.normal(0, 0.45, n)
    return Consumers(
        age=age.astype(np.int8),
        gender=gender.astype(np.int8),
        region=region.astype(np.int8),
        pet=pet.astype(np.int8),
        consent_ads=consent_ads,
        opt_out=opt_out,
        gpc=gpc,
        targetable=consent_ads & ~opt_out & ~gpc & ~minor,
        on_platform=on_platform,
        resp=resp,
        base=base,
        segment_score=segment_score,
    )


def audience_table(rng: np.random.Generator, cfg: SimConfig, people: Consumers) -> pd.DataFrame:
    """The ``audience`` contract: one row per consumer with consent and privacy flags."""
    n = people.n
    return pd.DataFrame(
        {
            "user_id": user_ids(n).to_pandas(),
            "age_band": pd.Categorical.from_codes(people.age, AGE_BANDS),
            "gender": pd.Categorical.from_codes(people.gender, _GENDERS),
            "region": pd.Categorical.from_codes(people.region, REGIONS),
            "interests": pd.Categorical.from_codes(people.pet, _PETS),
            "consent_ads_personalisation": people.consent_ads,
            "consent_analytics": people.consent_ads | (rng.random(n) < 0.5),
            "opt_out_sale": people.opt_out,
            "gpc": people.gpc,
            "consent_date": pd.Timestamp(cfg.start)
            - pd.to_timedelta(rng.integers(1, 400, n), unit="D"),
            "is_minor": people.minor,
        }
    )
