"""Family 10: padding modes (zeros, reflect, replicate, circular) and their limits.

easy: the padded row of a 1×1×1×n tensor of distinct small ints (nn.*Pad2d or F.pad).
medium: the first row of a padded 3×3-ish tensor, or an MCQ on which layer produced a shown row.
hard: the last row of a non-square tensor after an asymmetric F.pad, or "what happens": a
    Conv2d(padding_mode=...) or pad layer near reflect's (padding < size) and circular's
    (padding ≤ size) limits, quoting torch's real error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from quizzes.generators.base import (
    Answer,
    AnswerKind,
    Difficulty,
    Generator,
    IntRange,
    ParameterSpec,
    SolutionStep,
    Variant,
    build_choices,
    correct_label,
    unique_wrong_answers,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import dimension_working
from quizzes.misconceptions.padding_modes import fits, pad_items, source_index, value_mistakes
from quizzes.shapes import conv_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

LAYERS = {
    "zeros": "nn.ZeroPad2d",
    "reflect": "nn.ReflectionPad2d",
    "replicate": "nn.ReplicationPad2d",
    "circular": "nn.CircularPad2d",
}
FUNCTIONAL_MODES = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}
RULES = {
    "zeros": "zeros (nn.ZeroPad2d, F.pad's default mode='constant' with value 0) fills the "
    "border with 0.",
    "reflect": "reflect mirrors the values next to the edge, **without** repeating the edge "
    "value itself: [1, 2, 3, 4] padded by 2 on the left starts 3, 2 | 1, 2, 3, 4.",
    "replicate": "replicate repeats the edge value: [1, 2, 3, 4] padded by 2 on the left starts "
    "1, 1 | 1, 2, 3, 4.",
    "circular": "circular treats the dimension as a loop: the left border continues from the "
    "right end and the right border from the left end: [1, 2, 3, 4] padded by 2 on the left "
    "starts 3, 4 | 1, 2, 3, 4.",
}
TUPLE_RULE = (
    "A padding tuple starts with the **last** dimension: (left, right, top, bottom) pads the "
    "width by left/right and the height by top/bottom."
)
MODES = ("zeros", "reflect", "replicate", "circular")
VALUE_MODES = ("reflect", "replicate", "circular")  # 2-D border rows of zeros are all 0
CODE_LAYER = "```python\nimport torch\nimport torch.nn as nn\n\n"
CODE_FUNCTIONAL = "```python\nimport torch\nimport torch.nn.functional as F\n\n"
VALUE_HINTS = (
    "The padding tuple is (left, right, top, bottom): width first.",
    "Say what the mode puts right next to the first value, then keep going outwards.",
)
ROW_FORMAT = "the row's values in order, e.g. 3, 1, 4, 1, 5"
REFLECT_RAISES = (
    "It raises a RuntimeError: reflect padding must be smaller than the input dimension"
)
CIRCULAR_RAISES = "It raises a RuntimeError: padding value causes wrapping around more than once"
CIRCULAR_MESSAGE = "Padding value causes wrapping around more than once."

# Which misconception leads a student to pick `option` when `key` is the right mode.
MODE_MIX_UPS = {
    ("reflect", "replicate"): "pad_reflect_replicate_swapped",
    ("replicate", "reflect"): "pad_reflect_replicate_swapped",
    ("reflect", "circular"): "pad_circular_as_reflect",
    ("circular", "reflect"): "pad_circular_as_reflect",
    ("zeros", "replicate"): "pad_zeros_as_replicate",
    ("replicate", "zeros"): "pad_zeros_as_replicate",
}

RULE_STEPS = {mode: SolutionStep(f"Step 2: Apply the {mode} rule", RULES[mode]) for mode in MODES}
FOUR_RULES_STEP = SolutionStep(
    "Step 2: Recall the four rules", "\n\n".join(RULES[mode] for mode in MODES)
)
RUNS_HINTS = (
    "Two of the four modes have a limit on how much they can pad; which two?",
    "Is the limit 'smaller than the size' or 'at most the size'?",
)
WHICH_HINTS = (
    "Compare the value right next to the first input value with x[0] and x[1].",
    "Is the border in the input's order, reversed, or constant?",
)
CHOICE_FORMAT = "the letter of one option, e.g. B"
NO_LIMIT = {
    "replicate": "replicate has no limit: it can repeat the edge value any number of times.",
    "zeros": "zeros has no limit: it can add any number of 0s.",
}
RAISE_CHECK_STEP = SolutionStep(
    "Quick check",
    "The constructor accepts any padding; the check happens when the layer pads an actual "
    "input, so the same layer works on a larger one. [OK]",
)


def _permutations(pool_size: int, count: int = 720) -> tuple[tuple[int, ...], ...]:
    """``count`` fixed shuffles of 1..pool_size, drawn once at import from a fixed seed.

    A question picks one with a single draw instead of shuffling (which costs more than the
    rest of the arithmetic); the table is the same on every machine and Python version.
    """
    rng = QuestionRandom(f"padding_modes:permutations:{pool_size}")
    table = []
    for _ in range(count):
        pool = list(range(1, pool_size + 1))
        rng.shuffle(pool)
        table.append(tuple(pool))
    return tuple(table)


_SMALL_VALUES = _permutations(9)  # up to a 3×3 grid: the values 1..9
_LARGE_VALUES = _permutations(19)  # up to 4×4 and 3×5 grids: values from 1..19


def _distinct(rng: QuestionRandom, count: int) -> list[int]:
    """``count`` distinct small ints in a random order (1..9 when they fit, else 1..19)."""
    if count <= 9:
        return list(_SMALL_VALUES[rng.next32() % 720][:count])
    if count <= 19:
        return list(_LARGE_VALUES[rng.next32() % 720][:count])
    pool = list(range(1, count + 6))
    rng.shuffle(pool)
    return pool[:count]


def _limit(size: int, mode: str) -> int:
    """The largest padding torch accepts for one side of a dimension of ``size``."""
    if mode == "reflect":
        return size - 1
    if mode == "circular":
        return size
    return 1 << 30


def _draw_side(rng: QuestionRandom, padding: IntRange, limit: int, at_least: int = 0) -> int:
    high = min(padding.high, limit)
    low = min(max(padding.low, at_least), high)
    return rng.randint(low, high)


def _tensor_literal(grid: Sequence[Sequence[int]]) -> str:
    return f"torch.tensor([[{grid}]])"


def _pad_code(mode: str, padding: tuple[int, int, int, int], functional: bool) -> str:
    tuple_text = f"({padding[0]}, {padding[1]}, {padding[2]}, {padding[3]})"
    if functional:
        return f'F.pad(x, {tuple_text}, mode="{FUNCTIONAL_MODES[mode]}")'
    return f"{LAYERS[mode]}({tuple_text})"


def _border_indices(count: int, before: int, after: int, mode: str) -> tuple[list, list]:
    """Which input index fills each left and right border position (None: a zero)."""
    if mode == "reflect":
        return list(range(before, 0, -1)), list(range(count - 2, count - 2 - after, -1))
    if mode == "replicate":
        return [0] * before, [count - 1] * after
    if mode == "circular":
        return list(range(count - before, count)), list(range(after))
    return [None] * before, [None] * after


def _border_working(values: Sequence[int], before: int, after: int, mode: str) -> str:
    """Which input value lands in each border position, e.g. 'left 2: x[2] = 4, x[1] = 1'."""
    left, right = _border_indices(len(values), before, after, mode)
    parts = []
    if left:
        parts.append(
            f"left {before}: "
            + ", ".join("0" if i is None else f"x[{i}] = {values[i]}" for i in left)
        )
    if right:
        parts.append(
            f"right {after}: "
            + ", ".join("0" if i is None else f"x[{i}] = {values[i]}" for i in right)
        )
    return "; ".join(parts) if parts else "no padding on either side"


class PaddingModesGenerator(Generator):
    family = "padding_modes"
    title = "Padding modes"
    topic = "padding-modes"
    description = (
        "What zeros, reflect, replicate and circular padding put in the border of a tiny "
        "tensor (nn.ReflectionPad2d & co., F.pad, Conv2d's padding_mode), and when torch "
        "refuses the padding."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "length of the row / height and width of the tensor",
            IntRange(2, 8),
            {E: IntRange(4, 6), M: IntRange(3, 4), H: IntRange(3, 4)},
        ),
        ParameterSpec(
            "padding",
            "padding on one side",
            IntRange(0, 7),
            {E: IntRange(1, 3), M: IntRange(1, 2), H: IntRange(0, 4)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        size = config.get("input_size")
        padding = config.get("padding")
        size_low = int(size[0]) if isinstance(size, list | tuple) else 3
        if isinstance(padding, list | tuple) and padding[0] >= size_low:
            errors.append(
                f"padding from {padding[0]} is not smaller than the smallest input size "
                f"{size_low}: reflect padding must be smaller than the dimension it pads, so "
                "those questions could not run"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is E:
            return self._row_1d(rng, seed, difficulty, ranges)
        if difficulty is M:
            if rng.next32() & 1:
                return self._which_mode(rng, seed, difficulty, ranges)
            return self._row_2d(rng, seed, difficulty, ranges, last=False)
        if rng.next32() & 1:
            return self._does_it_run(rng, seed, difficulty, ranges)
        return self._row_2d(rng, seed, difficulty, ranges, last=True)

    # -----------------------------------------------------------------------------------------

    def _row_variant(
        self,
        seed: int,
        difficulty: Difficulty,
        grid: list[list[int]],
        padding: tuple[int, int, int, int],
        mode: str,
        functional: bool,
        row: int,
        key: list[int],
        prompt: str,
        steps_middle: list[SolutionStep],
    ) -> Variant:
        left, right, top, bottom = padding
        length = len(key)
        wrong = unique_wrong_answers(
            key,
            [
                (misconception, values)
                for misconception, values in value_mistakes(
                    grid, left, right, top, bottom, mode, row
                )
                if len(values) == length
            ],
        )
        height, width = len(grid), len(grid[0])
        key_text = str(key)
        steps = [
            SolutionStep(
                "Step 1: Read the padding tuple",
                f"(left, right, top, bottom) = ({left}, {right}, {top}, {bottom}). {TUPLE_RULE}",
            ),
            RULE_STEPS[mode],
            *steps_middle,
            SolutionStep("Final answer", f"The row is **{key_text}**."),
            SolutionStep(
                "Quick check",
                f"The row has {width} + {left} + {right} = {length} values and `y.shape` is "
                f"(1, 1, {height + top + bottom}, {width + left + right}). [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "values": grid,
                "padding": [left, right, top, bottom],
                "mode": mode,
                "api": "functional" if functional else "layer",
                "row": row,
                "asked": "row",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SEQUENCE, key, display=key_text),
            solution_steps=steps,
            hints=list(VALUE_HINTS),
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=ROW_FORMAT,
        )

    def _row_1d(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        size = ranges["input_size"].draw(rng)
        mode = MODES[rng.next32() & 3]
        limit = _limit(size, mode)
        left = _draw_side(rng, ranges["padding"], limit, at_least=1)
        right = _draw_side(rng, ranges["padding"], limit)
        functional = bool(rng.next32() & 1)
        values = _distinct(rng, size)
        padding = (left, right, 0, 0)
        code = _pad_code(mode, padding, functional)
        head = CODE_FUNCTIONAL if functional else CODE_LAYER
        call = f"y = {code}" if functional else f"pad = {code}\ny = pad(x)"
        prompt = (
            "`x` is a single row of values. What is the padded row `y[0, 0, 0]`? Type its "
            f"values in order.\n\n{head}x = torch.tensor([[{[values]}]])  # shape (1, 1, 1, "
            f"{size})\n{call}\n```\n"
        )
        middle = [
            SolutionStep(
                "Step 3: Fill the borders",
                _border_working(values, left, right, mode)
                + ". The height is not padded (top = bottom = 0), so `y` has one row.",
            )
        ]
        key = pad_items(values, left, right, mode)
        return self._row_variant(
            seed, difficulty, [values], padding, mode, functional, 0, key, prompt, middle
        )

    def _row_2d(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
        *,
        last: bool,
    ) -> Variant:
        size_range, padding_range = ranges["input_size"], ranges["padding"]
        height = size_range.draw(rng)
        width = size_range.draw(rng) if last else height
        mode = VALUE_MODES[rng.next32() % 3]
        width_limit, height_limit = _limit(width, mode), _limit(height, mode)
        left = _draw_side(rng, padding_range, width_limit)
        right = _draw_side(rng, padding_range, width_limit)
        top = _draw_side(rng, padding_range, height_limit, at_least=0 if last else 1)
        bottom = _draw_side(rng, padding_range, height_limit, at_least=1 if last else 0)
        padding = (left, right, top, bottom)
        values = _distinct(rng, height * width)
        grid = [values[i * width : (i + 1) * width] for i in range(height)]
        functional = last or bool(rng.next32() & 1)
        code = _pad_code(mode, padding, functional)
        head = CODE_FUNCTIONAL if functional else CODE_LAYER
        call = f"y = {code}" if functional else f"pad = {code}\ny = pad(x)"
        row = height + top + bottom - 1 if last else 0
        asked = (
            "the **last** row of `y`, `y[0, 0, -1]`"
            if last
            else ("the **first** row of `y`, `y[0, 0, 0]`")
        )
        prompt = (
            f"What is {asked}? Type its values in order.\n\n{head}"
            f"x = {_tensor_literal(grid)}  # shape (1, 1, {height}, {width})\n{call}\n```\n"
        )
        source = source_index(height, top, bottom, mode, row)
        above, below = _border_indices(height, top, bottom, mode)
        rows_text = "; ".join(
            [f"top {top}: " + ", ".join([f"x row {i}" for i in above])] * (top > 0)
            + [f"bottom {bottom}: " + ", ".join([f"x row {i}" for i in below])] * (bottom > 0)
        )
        middle = [
            SolutionStep(
                "Step 3: Find the input row that lands there, then pad it along the width",
                f"Pad the height the same way, treating whole rows as the values: {rows_text}. "
                f"Row {row} of `y` (of {height + top + bottom}) is therefore input row {source}, "
                f"{grid[source]}. Along the width: "
                f"{_border_working(grid[source], left, right, mode)}.",
            ),
        ]
        key = pad_items(grid[source], left, right, mode)
        return self._row_variant(
            seed, difficulty, grid, padding, mode, functional, row, key, prompt, middle
        )

    # -----------------------------------------------------------------------------------------

    def _which_mode(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        size = max(3, ranges["input_size"].draw(rng))
        # Every option must run, so stay within reflect's limit for all of them.
        left = _draw_side(rng, ranges["padding"], size - 1, at_least=1)
        right = _draw_side(rng, ranges["padding"], size - 1, at_least=1)
        mode = MODES[rng.next32() & 3]
        values = _distinct(rng, size)
        tuple_text = f"(({left}, {right}, 0, 0))"
        texts = {m: f"`{LAYERS[m]}{tuple_text}`" for m in MODES}
        rows = {m: pad_items(values, left, right, m) for m in MODES}
        key_row = rows[mode]
        choices = build_choices(
            rng,
            texts[mode],
            [
                (texts[other], MODE_MIX_UPS.get((mode, other), "pad_mode_confused"))
                for other in MODES
                if other != mode
            ],
        )
        mode_of = {text: m for m, text in texts.items()}
        options = []
        lines = []
        label = ""
        for choice in choices:
            other = mode_of[choice.text]
            options.append({"label": choice.label, "mode": other})
            if other == mode:
                label = choice.label
                lines.append(f"{choice.label}, {other}: {rows[other]} ← matches")
            else:
                lines.append(f"{choice.label}, {other}: {rows[other]}")
        prompt = (
            "`y` came from padding `x` with one of the layers below. Which one?\n\n"
            f"{CODE_LAYER}x = torch.tensor([[{[values]}]])  # shape (1, 1, 1, {size})\n"
            f"y = pad(x)\nprint(y)  # tensor([[[{key_row}]]])\n```\n"
        )
        steps = [
            SolutionStep(
                "Step 1: Look at the values next to the first one",
                f"x starts {values[0]}, {values[1]} and y has {left} extra value"
                f"{'s' if left > 1 else ''} on the left: {key_row[:left]}.",
            ),
            FOUR_RULES_STEP,
            SolutionStep("Step 3: Pad x with each option", "\n\n".join(lines)),
            SolutionStep("Final answer", f"Option **{label}**: {texts[mode]}."),
            SolutionStep(
                "Quick check",
                f"{RULES[mode]} Both borders agree: "
                f"{_border_working(values, left, right, mode)}. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "values": [values],
                "padding": [left, right, 0, 0],
                "mode": mode,
                "options": options,
                "row": 0,
                "asked": "which_mode",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.CHOICE, label, display=f"{label}: {texts[mode]}"),
            choices=choices,
            solution_steps=steps,
            hints=list(WHICH_HINTS),
            misconceptions=[c.misconception for c in choices if c.misconception],
            answer_format=CHOICE_FORMAT,
        )

    # -----------------------------------------------------------------------------------------

    def _does_it_run(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        size_range = ranges["input_size"]
        height, width = size_range.draw(rng), size_range.draw(rng)
        roll = rng.next32() % 6
        mode = ("reflect", "reflect", "reflect", "circular", "circular", "replicate")[roll]
        if mode == "replicate" and rng.next32() & 1:
            mode = "zeros"
        smaller = min(height, width)
        # Right at the limit: one below, at, or one above the smaller side.
        padding = max(1, smaller + rng.randint(-1, 1))
        is_conv = mode == "zeros" or bool(rng.next32() & 1)
        batch = 1 + rng.next32() % 4
        channels_in = 1 + rng.next32() % 4
        channels_out = 1 + rng.next32() % 8
        kernel = (1, 3, 5)[rng.next32() % 3]
        while kernel > smaller + 2 * padding:
            kernel -= 2
        raises = not (fits(width, padding, padding, mode) and fits(height, padding, padding, mode))
        if is_conv:
            channels = channels_out
            out_h = conv_output_size(height, kernel, 1, padding)
            out_w = conv_output_size(width, kernel, 1, padding)
            extra = f", padding_mode={mode!r}" if mode != "zeros" else ""
            code = f"nn.Conv2d({channels_in}, {channels_out}, kernel_size={kernel}, " + (
                f"padding={padding}{extra})"
            )
            wrong_shapes = (
                ("pad_mode_changes_shape", height - kernel + 1, width - kernel + 1),
                (
                    "padding_not_doubled",
                    height + padding - kernel + 1,
                    width + padding - kernel + 1,
                ),
            )
        else:
            channels = channels_in
            out_h, out_w = height + 2 * padding, width + 2 * padding
            code = f"{LAYERS[mode]}({padding})"
            wrong_shapes = (("padding_not_doubled", height + padding, width + padding),)
        shape = f"({batch}, {channels}, {out_h}, {out_w})"
        shape_option = f"It runs: `y.shape` is {shape}"
        raise_option = CIRCULAR_RAISES if mode == "circular" else REFLECT_RAISES
        if raises:
            correct_text = raise_option
            limit_id = "pad_circular_limit" if mode == "circular" else "pad_reflect_limit"
            distractors = [(shape_option, limit_id)]
        else:
            correct_text = shape_option
            distractors = [(raise_option, "pad_limit_overapplied")]
        for misconception, wrong_h, wrong_w in wrong_shapes:
            if wrong_h > 0 and wrong_w > 0:
                distractors.append(
                    (
                        f"It runs: `y.shape` is ({batch}, {channels}, {wrong_h}, {wrong_w})",
                        misconception,
                    )
                )
        choices = build_choices(rng, correct_text, distractors)
        label = correct_label(choices)
        if mode == "reflect":
            limit_text = (
                f"reflect needs padding < size in every padded dimension: {padding} < H = "
                f"{height} is {padding < height}, {padding} < W = {width} is {padding < width}."
            )
        elif mode == "circular":
            limit_text = (
                f"circular needs padding ≤ size (it may wrap around once): {padding} ≤ H = "
                f"{height} is {padding <= height}, {padding} ≤ W = {width} is "
                f"{padding <= width}."
            )
        else:
            limit_text = NO_LIMIT[mode]
        steps = [
            SolutionStep(
                "Step 1: Check the padding against the mode's limit",
                f"`{code}` pads {padding} on every side of a {height}×{width} input. {limit_text}",
            )
        ]
        if raises:
            if mode == "reflect":
                dimension, argument = (3, 4) if padding >= width else (2, 6)
                message = (
                    f"Argument #{argument}: Padding size should be less than the corresponding "
                    f"input dimension, but got: padding ({padding}, {padding}) at dimension "
                    f"{dimension} of input [{batch}, {channels_in}, {height}, {width}]"
                )
                if padding >= height and padding >= width:
                    message_note = "\n\n(torch checks the width, dimension 3, before the height.)"
                else:
                    message_note = ""
            else:
                message, message_note = CIRCULAR_MESSAGE, ""
            steps.append(
                SolutionStep(
                    "Final answer",
                    f"Option **{label}**: `y = layer(x)` raises\n\n`RuntimeError: {message}`"
                    + message_note,
                )
            )
            steps.append(RAISE_CHECK_STEP)
            display = f"{label}: RuntimeError: {message}"
        else:
            if is_conv:
                steps.append(
                    SolutionStep(
                        "Step 2: The mode only changes border values, not the shape",
                        "padding_mode decides what goes in the border; the shape follows the "
                        "usual Conv2d formula with that padding.\n\n"
                        + dimension_working("H", height, kernel, 1, padding)
                        + "\n\n"
                        + dimension_working("W", width, kernel, 1, padding),
                    )
                )
            else:
                steps.append(
                    SolutionStep(
                        "Step 2: A pad layer adds padding on both sides",
                        f"H: {height} + 2·{padding} = {out_h}; W: {width} + 2·{padding} = "
                        f"{out_w}. N and C are unchanged.",
                    )
                )
            steps.append(SolutionStep("Final answer", f"Option **{label}**: {shape_option}."))
            steps.append(
                SolutionStep(
                    "Quick check",
                    f"`print(y.shape)` shows `torch.Size([{batch}, {channels}, {out_h}, "
                    f"{out_w}])`. [OK]",
                )
            )
            display = f"{label}: {shape}"
        prompt = (
            f"What happens when this code runs?\n\n{CODE_LAYER}layer = {code}\n"
            f"x = torch.randn({batch}, {channels_in}, {height}, {width})\ny = layer(x)\n```\n"
        )
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, channels_in, height, width],
                "layer": "conv" if is_conv else "pad",
                "mode": mode,
                "padding": padding,
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "asked": "runs",
            },
            prompt=prompt,
            answer=Answer(
                AnswerKind.CHOICE, label, raises="RuntimeError" if raises else None, display=display
            ),
            choices=choices,
            solution_steps=steps,
            hints=list(RUNS_HINTS),
            misconceptions=[c.misconception for c in choices if c.misconception],
            answer_format=CHOICE_FORMAT,
        )


GENERATOR = PaddingModesGenerator()
