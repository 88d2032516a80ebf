"""Audience: segmentation, uplift learners, budgeted targeting, privacy guardrails, fairness.

Target where the message *changes* behaviour (uplift), not where people would have converted
anyway, and never where law or platform rules forbid it.

Quickstart
----------
>>> from micromix.audience import TargetingSpec, get_learner, make_uplift_data, target
>>> df = make_uplift_data(n=3000, seed=0)
>>> X = df[["x0", "x1", "x2", "region"]]
>>> model = get_learner("t", n_estimators=40).fit(X, df["treatment"], df["y"])
>>> scores = df.assign(uplift=model.predict(X))
>>> spec = TargetingSpec(budget=100, cost_per_contact=0.5, value_per_conversion=20)
>>> target(scores, spec, platform="meta").summary["contacts"] >= 100
True
"""

from __future__ import annotations

from micromix.audience.datasets import (
    load_hillstrom,
    load_starbucks,
    make_audience,
    make_scale_data,
    make_uplift_data,
)
from micromix.audience.evaluation import (
    CrossValidationResult,
    auuc,
    bootstrap_scores,
    cross_validate_uplift,
    evaluate_scores,
    evaluate_uplift,
    qini_area,
    qini_coefficient,
    qini_curve,
    select_learner,
    uplift_at_k,
    uplift_curve,
    uplift_splits,
)
from micromix.audience.fairness import FairnessReport, fairness_audit
from micromix.audience.learners import (
    ClassTransformationLearner,
    DRLearner,
    SLearner,
    TLearner,
    UpliftLearner,
    XLearner,
    get_learner,
    learner_from_dict,
    learner_names,
    register_learner,
)
from micromix.audience.policy import (
    VALUE_COLUMN,
    ComparisonResult,
    TargetingResult,
    TargetingSpec,
    compare_policies,
    hybrid_target,
    mass_target,
    microtarget,
    promotion_metrics,
    target,
)
from micromix.audience.privacy import (
    PLATFORM_MIN_AUDIENCE,
    SPECIAL_AD_CATEGORIES,
    ErasureResult,
    PrivacyPolicy,
    audit_audience,
    check_consent,
    check_features,
    check_k_anonymity,
    check_min_audience,
    check_minors,
    check_model,
    check_special_ad_category,
    enforce,
    erase_user,
    erased_subjects,
    suppress_small_cells,
)
from micromix.audience.scoring import UpliftRun, attach_consent, score_uplift
from micromix.audience.segments import (
    ClusterSegmenter,
    rfm_table,
    segment_profiles,
)

__all__ = [
    "PLATFORM_MIN_AUDIENCE",
    "SPECIAL_AD_CATEGORIES",
    "VALUE_COLUMN",
    "ClassTransformationLearner",
    "ClusterSegmenter",
    "ComparisonResult",
    "CrossValidationResult",
    "DRLearner",
    "ErasureResult",
    "FairnessReport",
    "PrivacyPolicy",
    "SLearner",
    "TLearner",
    "TargetingResult",
    "TargetingSpec",
    "UpliftLearner",
    "UpliftRun",
    "XLearner",
    "attach_consent",
    "audit_audience",
    "auuc",
    "bootstrap_scores",
    "check_consent",
    "check_features",
    "check_k_anonymity",
    "check_min_audience",
    "check_minors",
    "check_model",
    "check_special_ad_category",
    "compare_policies",
    "cross_validate_uplift",
    "enforce",
    "erase_user",
    "erased_subjects",
    "evaluate_scores",
    "evaluate_uplift",
    "fairness_audit",
    "get_learner",
    "hybrid_target",
    "learner_from_dict",
    "learner_names",
    "load_hillstrom",
    "load_starbucks",
    "make_audience",
    "make_scale_data",
    "make_uplift_data",
    "mass_target",
    "microtarget",
    "promotion_metrics",
    "qini_area",
    "qini_coefficient",
    "qini_curve",
    "register_learner",
    "rfm_table",
    "score_uplift",
    "segment_profiles",
    "select_learner",
    "suppress_small_cells",
    "target",
    "uplift_at_k",
    "uplift_curve",
    "uplift_splits",
]
