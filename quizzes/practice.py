"""The adaptive practice policy: which difficulty comes next, what comes back, how much is mastered.

Pure Python, no Django: every rule is a function from plain state to plain state, so the policy is
unit-tested without a database and the services only load rows, call these, and save.

- **Difficulty** moves per topic: up one level after ``STREAK_TO_RISE`` right answers in a row,
  down one level after ``MISSES_TO_FALL`` wrong answers in a row.
- **Spaced repetition** (a Leitner schedule counted in answers, not days, so it works inside one
  sitting as well as across weeks): a missed question, keyed by its template and the misconception
  the answer showed, comes back ``REVIEW_INTERVALS[0]`` answers later. Each right answer to it moves
  it one box up (and further away); a wrong one sends it back to the first box. Past the last box it
  is retired.
- **Misconceptions**: one shown is *overcome* once the student has answered ``OVERCOME_AFTER``
  questions that exercise it correctly since the last time they made it.
- **Mastery** per topic is an exponentially weighted score of recent answers, weighted by
  difficulty, so it can only be reached on hard questions and it fades after misses.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
STREAK_TO_RISE = 3
MISSES_TO_FALL = 2
REVIEW_INTERVALS: tuple[int, ...] = (3, 8, 20)
OVERCOME_AFTER = 2
MASTERY_RATE = 0.25
MASTERY_WEIGHT = {"easy": 0.6, "medium": 0.85, "hard": 1.0}
MASTERED_AT = 0.8

Key = TypeVar("Key")


def _level(difficulty: str) -> int:
    return DIFFICULTIES.index(difficulty) if difficulty in DIFFICULTIES else 0


# ---------------------------------------------------------------------------------------------
# Difficulty and mastery, per topic.


@dataclass(frozen=True, slots=True)
class TopicState:
    difficulty: str = "easy"
    correct_streak: int = 0
    miss_streak: int = 0
    answered: int = 0
    correct: int = 0
    mastery: float = 0.0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def topic_after_answer(state: TopicState, *, is_correct: bool, difficulty: str) -> TopicState:
    """The topic's state after one answer to a question of ``difficulty``."""
    weight = MASTERY_WEIGHT.get(difficulty, MASTERY_WEIGHT["easy"])
    target = weight if is_correct else 0.0
    mastery = state.mastery + MASTERY_RATE * (target - state.mastery)
    level = _level(state.difficulty)
    correct_streak = state.correct_streak + 1 if is_correct else 0
    miss_streak = 0 if is_correct else state.miss_streak + 1
    if correct_streak >= STREAK_TO_RISE and level < len(DIFFICULTIES) - 1:
        level, correct_streak = level + 1, 0
    elif miss_streak >= MISSES_TO_FALL and level > 0:
        level, miss_streak = level - 1, 0
    return TopicState(
        difficulty=DIFFICULTIES[level],
        correct_streak=correct_streak,
        miss_streak=miss_streak,
        answered=state.answered + 1,
        correct=state.correct + int(is_correct),
        mastery=round(mastery, 6),
    )


@dataclass(frozen=True, slots=True)
class MasteryLevel:
    label: str
    percent: int
    css_class: str


def mastery_level(state: TopicState | None) -> MasteryLevel:
    """How to show a topic's mastery: a word and a percentage."""
    if state is None or state.answered == 0:
        return MasteryLevel("Not started", 0, "new")
    percent = round(state.mastery * 100)
    if state.mastery >= MASTERED_AT:
        return MasteryLevel("Mastered", percent, "mastered")
    if state.mastery >= 0.5:
        return MasteryLevel("Strong", percent, "strong")
    if state.mastery >= 0.25:
        return MasteryLevel("Building", percent, "building")
    return MasteryLevel("Getting started", percent, "started")


def merge_topic_states(first: TopicState, second: TopicState) -> TopicState:
    """One topic's state from two owners (an anonymous session joining an account)."""
    keep = first if first.answered >= second.answered else second
    return replace(
        keep,
        answered=first.answered + second.answered,
        correct=first.correct + second.correct,
        mastery=max(first.mastery, second.mastery),
    )


# ---------------------------------------------------------------------------------------------
# Spaced repetition of missed questions and shown misconceptions.


@dataclass(frozen=True, slots=True)
class ReviewState:
    box: int = 0
    due_step: int = 0
    is_retired: bool = False
    times_missed: int = 0

    def is_due(self, step: int) -> bool:
        return not self.is_retired and self.due_step <= step


def review_after_miss(state: ReviewState | None, *, step: int) -> ReviewState:
    """A missed question (re)enters the first box, due a few answers from now."""
    times_missed = (state.times_missed if state else 0) + 1
    return ReviewState(box=0, due_step=step + REVIEW_INTERVALS[0], times_missed=times_missed)


def review_after_answer(state: ReviewState, *, is_correct: bool, step: int) -> ReviewState:
    """A review answered at ``step``: right moves it up a box (or retires it), wrong resets it.

    ``step`` is this answer's number; the item had to be due when the question was served, that
    is after ``step - 1`` answers. A right answer before then does not advance it: the gap is what
    makes it stick.
    """
    if not is_correct:
        return review_after_miss(state, step=step)
    if state.is_retired or not state.is_due(step - 1):
        return state
    box = state.box + 1
    if box >= len(REVIEW_INTERVALS):
        return replace(state, box=box, is_retired=True)
    return replace(state, box=box, due_step=step + REVIEW_INTERVALS[box])


def merge_review_states(first: ReviewState, second: ReviewState) -> ReviewState:
    if first.is_retired != second.is_retired:
        return second if first.is_retired else first
    earlier = first if first.due_step <= second.due_step else second
    return replace(
        earlier,
        box=min(first.box, second.box),
        times_missed=first.times_missed + second.times_missed,
    )


@dataclass(frozen=True, slots=True)
class ReviewCandidate(Generic[Key]):
    key: Key
    state: ReviewState
    topic: str = ""


def next_review(
    candidates: Iterable[ReviewCandidate[Key]], *, step: int, topic: str | None = None
) -> ReviewCandidate[Key] | None:
    """The most overdue review due at ``step`` (in ``topic`` if given), or None."""
    due = [
        candidate
        for candidate in candidates
        if candidate.state.is_due(step) and (topic is None or candidate.topic == topic)
    ]
    if not due:
        return None
    return min(due, key=lambda candidate: (candidate.state.due_step, candidate.state.box))


def seed_exercising(
    exercised_by_seed: Callable[[int], Collection[str]],
    misconception: str,
    seeds: Iterable[int],
) -> int | None:
    """The first seed whose question exercises ``misconception``, so a review tests that mistake.

    ``exercised_by_seed`` maps a seed to the misconception ids its variant can diagnose.
    """
    for seed in seeds:
        if misconception in exercised_by_seed(seed):
            return seed
    return None


# ---------------------------------------------------------------------------------------------
# Misconceptions seen and overcome.


@dataclass(frozen=True, slots=True)
class MisconceptionState:
    times_shown: int = 0
    correct_since: int = 0  # right answers to questions exercising it since it was last shown

    @property
    def is_overcome(self) -> bool:
        return self.times_shown > 0 and self.correct_since >= OVERCOME_AFTER


def misconception_after_answer(
    state: MisconceptionState, *, was_shown: bool, is_correct: bool
) -> MisconceptionState:
    """After an answer to a question that exercises the misconception."""
    if was_shown:
        return MisconceptionState(times_shown=state.times_shown + 1, correct_since=0)
    if is_correct and state.times_shown:
        return replace(state, correct_since=state.correct_since + 1)
    return state


def merge_misconception_states(
    first: MisconceptionState, second: MisconceptionState
) -> MisconceptionState:
    return MisconceptionState(
        times_shown=first.times_shown + second.times_shown,
        correct_since=min(first.correct_since, second.correct_since)
        if first.times_shown and second.times_shown
        else max(first.correct_since, second.correct_since),
    )


# ---------------------------------------------------------------------------------------------
# Accuracy over time, for the progress chart.


@dataclass(frozen=True, slots=True)
class AccuracyPoint:
    index: int  # position in the owner's answers, oldest first (0-based)
    accuracy: float  # over the last ``window`` answers of the topic, up to this one


def accuracy_series(
    answers: Sequence[tuple[str, bool]], *, window: int = 10
) -> dict[str, list[AccuracyPoint]]:
    """Per topic, the rolling accuracy after each of its answers; ``answers`` oldest first."""
    history: dict[str, list[bool]] = {}
    series: dict[str, list[AccuracyPoint]] = {}
    for index, (topic, is_correct) in enumerate(answers):
        outcomes = history.setdefault(topic, [])
        outcomes.append(is_correct)
        recent = outcomes[-window:]
        series.setdefault(topic, []).append(AccuracyPoint(index, sum(recent) / len(recent)))
    return series


def session_note(state: TopicState, *, answered_difficulty: str, is_correct: bool) -> str:
    """One sentence on where the adaptive session goes next, after an answer."""
    before, after = _level(answered_difficulty), _level(state.difficulty)
    if is_correct and after > before and state.correct_streak == 0:
        return f"{STREAK_TO_RISE} right in a row: the next questions are {state.difficulty}."
    if not is_correct and after < before and state.miss_streak == 0:
        return (
            f"{MISSES_TO_FALL} misses in a row: the next questions are {state.difficulty}, "
            "to firm up the basics."
        )
    if state.correct_streak and after < len(DIFFICULTIES) - 1:
        remaining = STREAK_TO_RISE - state.correct_streak
        return (
            f"{state.correct_streak} right in a row: {remaining} more to move up to "
            f"{DIFFICULTIES[after + 1]}."
        )
    if state.correct_streak:
        return f"{state.correct_streak} right in a row at the hardest level."
    if state.miss_streak and after > 0:
        return "A missed question comes back in a few questions, with new numbers."
    return "Missed questions come back in a few questions, with new numbers."
