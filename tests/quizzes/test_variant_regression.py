"""Same family + seed + difficulty gives the same variant forever (pinned by a stored fixture).

If this fails after an intended change to a family, regenerate the fixture with
``scripts/regenerate_variant_fixture.py`` and review the diff of the questions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizzes.generators import family_names, get_generator

FIXTURE = Path(__file__).parent / "data" / "variant_regression.json"
STORED = json.loads(FIXTURE.read_text())


def test_the_fixture_covers_every_family_and_difficulty():
    covered = {(variant["family"], variant["difficulty"]) for variant in STORED}
    assert covered == {(f, d) for f in family_names() for d in ("easy", "medium", "hard")}


@pytest.mark.parametrize(
    "stored", STORED, ids=[f"{v['family']}-{v['difficulty']}-{v['seed']}" for v in STORED]
)
def test_a_stored_variant_is_generated_again_identically(stored):
    generator = get_generator(stored["family"])
    again = generator.generate(seed=stored["seed"], difficulty=stored["difficulty"]).to_dict()
    assert json.loads(json.dumps(again, sort_keys=True)) == stored
