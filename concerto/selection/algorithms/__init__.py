"""Fair selection of workshop participants: pure Python + numpy + HiGHS, no Django.

Stage 1 computes a LEXIMIN (or MAXIMIN) lottery over quota-satisfying panels
(:func:`find_distribution`), published with integer weights; stage 2 draws one panel from a public
random value (:func:`draw_panel`) and orders the reserve (:func:`reserve_order`). Everything is
re-checked from the published file by ``concerto/selection/verify.py`` (stdlib only).
See docs/selection-algorithm.md.
"""

from .audit import (
    FORMAT,
    MIN_GROUP,
    build_audit_document,
    commitment,
    commitments_digest,
    public_pool,
)
from .draw import (
    DIGITS_MAX,
    HEX_MAX,
    HEX_MIN,
    LOTTERY_COUNT_MAX,
    LOTTERY_HIGH_MAX,
    RANDOM_FORMAT_KINDS,
    BadRandomValue,
    canonical_random_value,
    draw_panel,
    normalise_random_value,
    random_format_example,
    replacement_for,
    reserve_order,
    validate_random_format,
)
from .feasibility import check_feasibility
from .model import (
    ALGORITHM_VERSION,
    WEIGHT_TOTAL,
    Distribution,
    Infeasible,
    Person,
    Quota,
    panel_meets_quotas,
    pool_digest,
    pool_json,
)
from .problem import BadInput
from .solver import find_distribution

__all__ = [
    "ALGORITHM_VERSION",
    "DIGITS_MAX",
    "HEX_MAX",
    "HEX_MIN",
    "LOTTERY_COUNT_MAX",
    "LOTTERY_HIGH_MAX",
    "RANDOM_FORMAT_KINDS",
    "BadInput",
    "BadRandomValue",
    "canonical_random_value",
    "random_format_example",
    "validate_random_format",
    "FORMAT",
    "MIN_GROUP",
    "commitment",
    "commitments_digest",
    "public_pool",
    "WEIGHT_TOTAL",
    "Distribution",
    "Infeasible",
    "Person",
    "Quota",
    "build_audit_document",
    "check_feasibility",
    "draw_panel",
    "find_distribution",
    "normalise_random_value",
    "panel_meets_quotas",
    "pool_digest",
    "pool_json",
    "replacement_for",
    "reserve_order",
]
