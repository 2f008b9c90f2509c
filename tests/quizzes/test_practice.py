"""The adaptive policy without a database: difficulty, spaced repetition, mastery."""

from __future__ import annotations

from quizzes import practice
from quizzes.practice import (
    MisconceptionState,
    ReviewCandidate,
    ReviewState,
    TopicState,
)


def _answer_many(state: TopicState, outcomes: str, difficulty: str | None = None) -> TopicState:
    for outcome in outcomes:
        state = practice.topic_after_answer(
            state, is_correct=outcome == "y", difficulty=difficulty or state.difficulty
        )
    return state


def test_difficulty_rises_after_a_streak_of_three_right_answers():
    state = _answer_many(TopicState(), "yy")
    assert state.difficulty == "easy"
    state = _answer_many(state, "y")
    assert state.difficulty == "medium"
    assert state.correct_streak == 0  # the new level starts a new streak
    assert _answer_many(state, "yyy").difficulty == "hard"


def test_difficulty_stays_at_hard_after_more_right_answers():
    assert _answer_many(TopicState(difficulty="hard"), "yyyyyy").difficulty == "hard"


def test_a_miss_breaks_the_streak():
    assert _answer_many(TopicState(), "yynyy").difficulty == "easy"


def test_difficulty_falls_after_two_misses_in_a_row():
    state = _answer_many(TopicState(difficulty="hard"), "n")
    assert state.difficulty == "hard"
    state = _answer_many(state, "n")
    assert state.difficulty == "medium"
    assert state.miss_streak == 0
    assert _answer_many(state, "nn").difficulty == "easy"
    assert _answer_many(TopicState(), "nnnn").difficulty == "easy"


def test_counts_and_accuracy():
    state = _answer_many(TopicState(), "yny")
    assert (state.answered, state.correct) == (3, 2)
    assert state.accuracy == 2 / 3
    assert TopicState().accuracy is None


def test_mastery_needs_hard_questions_and_fades_after_misses():
    easy = _answer_many(TopicState(), "y" * 30, difficulty="easy")
    assert easy.mastery < practice.MASTERED_AT
    assert practice.mastery_level(easy).label == "Strong"
    hard = _answer_many(TopicState(), "y" * 6, difficulty="hard")
    assert practice.mastery_level(hard).label == "Mastered"
    faded = _answer_many(hard, "nn", difficulty="hard")
    assert faded.mastery < hard.mastery
    assert practice.mastery_level(faded).label == "Building"


def test_mastery_levels():
    assert practice.mastery_level(None).label == "Not started"
    assert practice.mastery_level(TopicState()).percent == 0
    one = practice.topic_after_answer(TopicState(), is_correct=True, difficulty="easy")
    assert practice.mastery_level(one) == practice.MasteryLevel("Getting started", 15, "started")


def test_a_missed_question_comes_back_after_three_answers():
    item = practice.review_after_miss(None, step=10)
    assert item == ReviewState(box=0, due_step=13, times_missed=1)
    assert not item.is_due(12)
    assert item.is_due(13)


def test_right_reviews_space_out_then_retire():
    # Missed as answer 1: due after 3 more answers, so it is served as answer 5.
    item = practice.review_after_miss(None, step=1)
    assert practice.review_after_answer(item, is_correct=True, step=4) == item
    item = practice.review_after_answer(item, is_correct=True, step=5)
    assert (item.box, item.due_step) == (1, 13)
    item = practice.review_after_answer(item, is_correct=True, step=14)
    assert (item.box, item.due_step) == (2, 34)
    item = practice.review_after_answer(item, is_correct=True, step=35)
    assert item.is_retired
    assert not item.is_due(1000)


def test_a_right_answer_before_the_review_is_due_does_not_advance_it():
    item = practice.review_after_miss(None, step=0)
    assert practice.review_after_answer(item, is_correct=True, step=1) == item


def test_a_wrong_review_goes_back_to_the_first_box():
    item = ReviewState(box=2, due_step=40, times_missed=1)
    again = practice.review_after_answer(item, is_correct=False, step=40)
    assert again == ReviewState(box=0, due_step=43, times_missed=2)


def test_next_review_is_the_most_overdue_in_the_topic():
    candidates = [
        ReviewCandidate("a", ReviewState(due_step=5), topic="pooling"),
        ReviewCandidate("b", ReviewState(due_step=3), topic="conv"),
        ReviewCandidate("c", ReviewState(due_step=4), topic="conv"),
        ReviewCandidate("d", ReviewState(due_step=9), topic="conv"),
        ReviewCandidate("e", ReviewState(due_step=1, is_retired=True), topic="conv"),
    ]
    assert practice.next_review(candidates, step=6).key == "b"
    assert practice.next_review(candidates, step=6, topic="pooling").key == "a"
    assert practice.next_review(candidates, step=2) is None


def test_seed_exercising_finds_a_question_that_tests_the_misconception():
    exercised = {0: {"a"}, 1: {"b"}, 2: {"a", "c"}}
    assert practice.seed_exercising(lambda seed: exercised[seed], "c", range(3)) == 2
    assert practice.seed_exercising(lambda seed: exercised[seed], "z", range(3)) is None


def test_a_misconception_is_overcome_after_two_right_answers_since_it_was_last_shown():
    state = practice.misconception_after_answer(
        MisconceptionState(), was_shown=True, is_correct=False
    )
    assert not state.is_overcome
    state = practice.misconception_after_answer(state, was_shown=False, is_correct=True)
    assert not state.is_overcome
    state = practice.misconception_after_answer(state, was_shown=False, is_correct=True)
    assert state.is_overcome
    again = practice.misconception_after_answer(state, was_shown=True, is_correct=False)
    assert again == MisconceptionState(times_shown=2, correct_since=0)


def test_right_answers_before_ever_showing_a_misconception_do_not_count():
    state = practice.misconception_after_answer(
        MisconceptionState(), was_shown=False, is_correct=True
    )
    assert state == MisconceptionState()
    assert not state.is_overcome


def test_merging_two_owners_states():
    anonymous = _answer_many(TopicState(), "yyyy")
    account = _answer_many(TopicState(), "n")
    merged = practice.merge_topic_states(account, anonymous)
    assert (merged.answered, merged.correct) == (5, 4)
    assert merged.difficulty == "medium"
    review = practice.merge_review_states(
        ReviewState(box=1, due_step=9, times_missed=1), ReviewState(box=0, due_step=4)
    )
    assert review == ReviewState(box=0, due_step=4, times_missed=1)
    retired = ReviewState(box=3, due_step=0, is_retired=True)
    assert practice.merge_review_states(retired, ReviewState(due_step=4)).due_step == 4
    seen = practice.merge_misconception_states(MisconceptionState(1, 2), MisconceptionState(1, 0))
    assert seen == MisconceptionState(2, 0)
    assert practice.merge_misconception_states(
        MisconceptionState(0, 0), MisconceptionState(1, 2)
    ) == MisconceptionState(1, 2)


def test_accuracy_series_is_a_rolling_window_per_topic():
    answers = [("conv", True), ("pool", False), ("conv", False), ("conv", True), ("pool", True)]
    series = practice.accuracy_series(answers, window=2)
    assert [(p.index, p.accuracy) for p in series["conv"]] == [(0, 1.0), (2, 0.5), (3, 0.5)]
    assert [(p.index, p.accuracy) for p in series["pool"]] == [(1, 0.0), (4, 0.5)]


def test_session_notes_say_where_the_session_goes():
    rose = _answer_many(TopicState(), "yyy")
    assert practice.session_note(rose, answered_difficulty="easy", is_correct=True) == (
        "3 right in a row: the next questions are medium."
    )
    two = _answer_many(TopicState(), "yy")
    assert practice.session_note(two, answered_difficulty="easy", is_correct=True) == (
        "2 right in a row: 1 more to move up to medium."
    )
    fell = _answer_many(TopicState(difficulty="hard"), "nn")
    assert practice.session_note(fell, answered_difficulty="hard", is_correct=False).startswith(
        "2 misses in a row: the next questions are medium"
    )
