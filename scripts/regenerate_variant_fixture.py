"""Rewrite tests/quizzes/data/variant_regression.json from the current generators.

Only run this when a change to a family is meant to change its questions: the fixture pins
"same template + seed gives the same variant forever", so regenerating it is a deliberate act
that shows up in review as a diff of the questions themselves.

    .venv/bin/python scripts/regenerate_variant_fixture.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quizzes.generators import all_generators  # noqa: E402
from quizzes.generators.base import Difficulty  # noqa: E402

FIXTURE = ROOT / "tests" / "quizzes" / "data" / "variant_regression.json"
SEEDS = (0, 7)


def main() -> None:
    variants = [
        generator.generate(seed=seed, difficulty=difficulty).to_dict()
        for generator in all_generators()
        for difficulty in Difficulty
        for seed in SEEDS
    ]
    FIXTURE.write_text(json.dumps(variants, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(variants)} variants to {FIXTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
