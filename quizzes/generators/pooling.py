"""Family 8: the output size of nn.MaxPool2d / nn.AvgPool2d, ceil_mode, and the padding limit.

easy: one pooling layer on a square input, no padding; the stride is usually left out (it then
    defaults to kernel_size, the classic slip is assuming 1).
medium: stride given or not, padding up to half the kernel, ceil_mode on or off.
hard: a non-square input through a dilated MaxPool2d or an AvgPool2d, mostly with ceil_mode=True
    and often where torch drops a last window that would start in the right padding; or an MCQ
    "does it run?" about the padding limit (padding ≤ kernel_size / 2), quoting torch's message.

The helpers at the top (layer calls, worked lines, torch's error messages) are shared with the
layer-stack family.
"""

from __future__ import annotations

from collections.abc import Mapping

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
from quizzes.misconceptions.pooling import (
    POOL_PADDING_LIMIT_IGNORED,
    POOL_PADDING_LIMIT_MISREAD,
    pool_dimension_mistakes,
)
from quizzes.shapes import pool_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

MAX_POOL = "MaxPool2d"
AVG_POOL = "AvgPool2d"

# ---------------------------------------------------------------------------------------------
# Shared wording and torch's own messages.


def pool_call(
    kind: str,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> str:
    """``nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)``, leaving defaults out."""
    text = f"nn.{kind}({kernel_size}"
    if stride is not None:
        text += f", stride={stride}"
    if padding:
        text += f", padding={padding}"
    if dilation != 1:
        text += f", dilation={dilation}"
    if ceil_mode:
        text += ", ceil_mode=True"
    return text + ")"


def pool_padding_error(kind: str, kernel_size: int, padding: int, dilation: int = 1) -> str | None:
    """torch's RuntimeError message for too much pooling padding (int arguments), or None.

    Two checks in ATen, in this order: padding against half the dilated kernel span (the only
    one AvgPool2d has, where the span is the kernel), then against half the kernel itself.
    """
    if kind == AVG_POOL:
        dilation = 1
    if 2 * padding > dilation * (kernel_size - 1) + 1:
        return (
            f"pad should be at most half of effective kernel size, but got pad={padding}, "
            f"kernel_size={kernel_size} and dilation={dilation}"
        )
    if 2 * padding > kernel_size:
        return (
            f"pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {padding}, padH = {padding}, kW = {kernel_size}, kH = {kernel_size}"
        )
    return None


def pool_too_small_error(
    channels: int, height: int, width: int, out_height: int, out_width: int
) -> str:
    """torch's RuntimeError message when a pooling output would be empty."""
    return (
        f"Given input size: ({channels}x{height}x{width}). Calculated output size: "
        f"({channels}x{out_height}x{out_width}). Output size is too small"
    )


def pool_working(
    name: str,
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> str:
    """One dimension worked out: substitute, round the way the layer does, apply the ceil rule."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    if dilation > 1:
        substituted = f"({size} + 2·{padding} − {dilation}·({kernel} − 1) − 1) / {stride}"
    else:
        substituted = f"({size} + 2·{padding} − {kernel}) / {stride}"
    if ceil_mode:
        rounded = -(-numerator // stride)
        text = f"{name}_out = ⌈{substituted}⌉ + 1 = ⌈{numerator}/{stride}⌉ + 1 = {rounded + 1}"
        if rounded * stride >= size + padding:
            return (
                f"{text}; but that last window would start at ({rounded + 1} − 1)·{stride} = "
                f"{rounded * stride}, at or past in + padding = {size + padding}, in the right "
                f"padding, so torch drops it: {name}_out = **{rounded}**"
            )
        if numerator % stride:
            return (
                f"{text}; the last window starts at {rounded * stride}, before in + padding = "
                f"{size + padding}, so it is kept: {name}_out = **{rounded + 1}**"
            )
        return f"{text} (the division is exact): {name}_out = **{rounded + 1}**"
    floored = numerator // stride
    return f"{name}_out = ⌊{substituted}⌋ + 1 = ⌊{numerator}/{stride}⌋ + 1 = **{floored + 1}**"


def pool_formula(ceil_mode: bool, dilation: bool) -> str:
    span = "dilation·(kernel_size − 1) − 1" if dilation else "kernel_size"
    if ceil_mode:
        return (
            f"With ceil_mode=True (PyTorch docs): `out = ⌈(in + 2·padding − {span}) / stride⌉ + 1`"
            ", and torch drops that last window if it would start in the right padding, i.e. "
            "if (out − 1)·stride ≥ in + padding."
        )
    return (
        f"With ceil_mode=False, the default (PyTorch docs): "
        f"`out = ⌊(in + 2·padding − {span}) / stride⌋ + 1`"
    )


def _last_window_dropped(size: int, kernel: int, stride: int, padding: int, dilation: int) -> bool:
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    return -(-numerator // stride) * stride >= size + padding


# ---------------------------------------------------------------------------------------------

_PRELUDE = "```python\nimport torch\nimport torch.nn as nn\n\n"
_SHAPE_FORMAT = "a shape like (1, 6, 14, 14)"
_CHOICE_FORMAT = "the letter of one option, e.g. B"
_HINT_STRIDE = "Which stride does a pooling layer use when the code does not pass one?"
_HINT_CHANNELS = "Pooling works on each channel separately: which dimensions can change?"
_HINT_CEIL = (
    "ceil_mode=True rounds up, but a window must still start inside the input or the left padding."
)
_HINT_FLOOR = "With the default ceil_mode=False a window that does not fit is not computed."
_HINT_LIMIT = "Pooling layers limit padding: compare 2 × padding with kernel_size."


class PoolingGenerator(Generator):
    family = "pooling"
    title = "Pooling output size"
    topic = "pooling"
    description = (
        "Predict the output shape of nn.MaxPool2d and nn.AvgPool2d from kernel_size, stride "
        "(which defaults to kernel_size), padding, dilation and ceil_mode, and whether torch "
        "accepts the padding at all."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(1, 512),
            {E: IntRange(4, 32), M: IntRange(5, 64), H: IntRange(5, 128)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 8),
            {E: IntRange(2, 3), M: IntRange(2, 4), H: IntRange(2, 5)},
        ),
        ParameterSpec(
            "stride",
            "stride, when the code passes one",
            IntRange(1, 8),
            {E: IntRange(1, 3), M: IntRange(1, 4), H: IntRange(1, 4)},
        ),
        ParameterSpec(
            "padding",
            "padding (capped at half the kernel for shape questions)",
            IntRange(0, 4),
            {E: IntRange(0, 0), M: IntRange(0, 2), H: IntRange(0, 2)},
        ),
        ParameterSpec(
            "dilation",
            "dilation (MaxPool2d only)",
            IntRange(1, 4),
            {E: IntRange(1, 1), M: IntRange(1, 1), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 256),
            {E: IntRange(1, 8), M: IntRange(1, 32), H: IntRange(1, 64)},
        ),
        ParameterSpec(
            "channels",
            "channels",
            IntRange(1, 1024),
            {E: IntRange(1, 16), M: IntRange(1, 64), H: IntRange(1, 256)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        kernel = config.get("kernel_size")
        padding = config.get("padding")
        size = config.get("input_size")
        if kernel is not None and padding is not None and 2 * padding[0] > kernel[1]:
            errors.append(
                f"padding from {padding[0]} is more than half of every kernel_size up to "
                f"{kernel[1]}: torch rejects such pooling layers (padding must be at most "
                "kernel_size / 2), so no shape question could run"
            )
        if kernel is not None and size is not None and size[1] < kernel[0]:
            errors.append(
                f"input_size up to {size[1]} is smaller than every kernel_size from {kernel[0]}: "
                "the pooling window would not fit the input"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        # The padding-limit MCQ puts padding at or one past kernel_size // 2 by design; a template
        # that pins padding to 0 asks shape questions only.
        if difficulty is H and ranges["padding"].high > 0 and rng.randint(1, 10) <= 3:
            return self._padding_limit(rng, seed, difficulty, ranges)
        return self._shape(rng, seed, difficulty, ranges)

    # -----------------------------------------------------------------------------------------

    def _draw_layer(
        self, rng: QuestionRandom, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> tuple[str, int, int | None, int, int, bool]:
        """(kind, kernel, stride or None, padding, dilation, ceil_mode), padding within limits."""
        kind = MAX_POOL if rng.randint(1, 10) <= 6 else AVG_POOL
        kernel = ranges["kernel_size"].draw(rng)
        stride_omitted = rng.randint(1, 4) <= (3 if difficulty is E else 2)
        stride = None if stride_omitted else ranges["stride"].draw(rng)
        padding_range = ranges["padding"]
        padding = rng.randint(
            padding_range.low, max(padding_range.low, min(padding_range.high, kernel // 2))
        )
        dilation = ranges["dilation"].draw(rng) if kind == MAX_POOL else 1
        if difficulty is E:
            ceil_mode = False
        elif difficulty is M:
            ceil_mode = rng.randint(0, 1) == 1
        else:
            ceil_mode = rng.randint(1, 10) <= 7
        return kind, kernel, stride, padding, dilation, ceil_mode

    def _draw_size(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        kernel: int,
        stride: int,
        padding: int,
        dilation: int,
        ceil_mode: bool,
    ) -> int:
        """An input size whose pooled output is not empty (the question must run)."""
        size_range = ranges["input_size"]
        span = dilation * (kernel - 1) + 1
        low = max(size_range.low, span - 2 * padding, 1)
        if low > size_range.high:
            low = size_range.high
        size = rng.randint(low, size_range.high)
        while pool_output_size(size, kernel, stride, padding, dilation, ceil_mode) < 1:
            size += 1  # only reached when a template's ranges are very tight
        return size

    def _shape(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        is_hard = difficulty is H
        # Redraw a few times for the case worth asking: ceil_mode that changes the answer, and on
        # hard the last-window rule in at least one dimension.
        for _ in range(8):
            kind, kernel, stride, padding, dilation, ceil_mode = self._draw_layer(
                rng, difficulty, ranges
            )
            step = kernel if stride is None else stride
            height = self._draw_size(rng, ranges, kernel, step, padding, dilation, ceil_mode)
            width = (
                self._draw_size(rng, ranges, kernel, step, padding, dilation, ceil_mode)
                if is_hard
                else height
            )
            if not ceil_mode:
                break
            if is_hard:
                if _last_window_dropped(
                    height, kernel, step, padding, dilation
                ) or _last_window_dropped(width, kernel, step, padding, dilation):
                    break
            elif (height + 2 * padding - dilation * (kernel - 1) - 1) % step:
                break
        batch = ranges["batch_size"].draw(rng)
        channels = ranges["channels"].draw(rng)
        out_h = pool_output_size(height, kernel, step, padding, dilation, ceil_mode)
        out_w = (
            pool_output_size(width, kernel, step, padding, dilation, ceil_mode)
            if width != height
            else out_h
        )
        key = (batch, channels, out_h, out_w)
        call = pool_call(kind, kernel, stride, padding, dilation, ceil_mode)
        prompt = (
            f"What is the shape of `y`?\n\n{_PRELUDE}pool = {call}\n"
            f"x = torch.randn({batch}, {channels}, {height}, {width})\ny = pool(x)\n```\n"
        )
        candidates = _shape_mistakes(
            key, height, width, kernel, stride, padding, dilation, ceil_mode
        )
        wrong = unique_wrong_answers(key, candidates)
        key_text = f"({batch}, {channels}, {out_h}, {out_w})"
        steps = [
            SolutionStep(
                "Step 1: Keep N and C",
                f"Pooling slides over each channel separately: N = {batch} and C = {channels} "
                "pass through unchanged.",
            ),
            SolutionStep(
                "Step 2: Read the layer's settings",
                _settings_text(kind, kernel, stride, padding, dilation, ceil_mode),
            ),
            SolutionStep(
                "Step 3: Use the pooling output-size formula", pool_formula(ceil_mode, dilation > 1)
            ),
            SolutionStep(
                "Step 4: Height and width",
                pool_working("H", height, kernel, step, padding, dilation, ceil_mode)
                + (
                    "\n\n" + pool_working("W", width, kernel, step, padding, dilation, ceil_mode)
                    if width != height
                    else "\n\nThe input is square, so W_out = H_out."
                ),
            ),
            SolutionStep("Final answer", f"`y.shape` is **{key_text}**."),
            SolutionStep(
                "Quick check",
                f"`print(y.shape)` shows `torch.Size([{batch}, {channels}, {out_h}, {out_w}])`. "
                + _quick_check(height, kernel, step, padding, dilation, out_h),
            ),
        ]
        hints = [_HINT_CHANNELS]
        if stride is None:
            hints.append(_HINT_STRIDE)
        hints.append(_HINT_CEIL if ceil_mode else _HINT_FLOOR)
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "layer": kind,
                "input_shape": [batch, channels, height, width],
                "kernel_size": kernel,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "ceil_mode": ceil_mode,
                "asked": "shape",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=key_text),
            solution_steps=steps,
            hints=hints,
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=_SHAPE_FORMAT,
        )

    def _padding_limit(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        """MCQ: does the layer run, and if so what shape? Padding at or just over the limit."""
        kind = MAX_POOL if rng.randint(1, 10) <= 6 else AVG_POOL
        kernel_range = ranges["kernel_size"]
        kernel = rng.randint(max(2, kernel_range.low), max(2, kernel_range.high))
        raises = rng.randint(0, 1) == 1
        # At the limit (runs) or one over it (raises): the boundary is the whole question.
        padding = kernel // 2 + 1 if raises else kernel // 2
        dilation = ranges["dilation"].draw(rng) if kind == MAX_POOL else 1
        stride = None if rng.randint(0, 1) else ranges["stride"].draw(rng)
        step = kernel if stride is None else stride
        ceil_mode = rng.randint(1, 4) == 1
        # Every option must come from a named mistake: on tiny inputs most mistakes give the
        # same size or none, so redraw the input until at least two distinct ones remain.
        for _ in range(8):
            size = self._draw_size(rng, ranges, kernel, step, padding, dilation, ceil_mode)
            mistakes = pool_dimension_mistakes(size, kernel, stride, padding, dilation, ceil_mode)
            if len({wrong for _, wrong in mistakes}) >= 2:
                break
        batch = ranges["batch_size"].draw(rng)
        channels = ranges["channels"].draw(rng)
        out = pool_output_size(size, kernel, step, padding, dilation, ceil_mode)
        formula_shape = f"({batch}, {channels}, {out}, {out})"
        call = pool_call(kind, kernel, stride, padding, dilation, ceil_mode)
        prompt = (
            "Does this code run? If it does, what is the shape of `y`?\n\n"
            f"{_PRELUDE}pool = {call}\nx = torch.randn({batch}, {channels}, {size}, {size})\n"
            "y = pool(x)\n```\n"
        )
        message = pool_padding_error(kind, kernel, padding, dilation)
        distractors: list[tuple[str, str | None]] = []
        if message is not None:
            correct_text = f"It raises `RuntimeError: {message}`"
            distractors.append(
                (f"It runs: `y.shape` is {formula_shape}", POOL_PADDING_LIMIT_IGNORED.id)
            )
            for identifier, wrong in mistakes:
                distractors.append(
                    (f"It runs: `y.shape` is ({batch}, {channels}, {wrong}, {wrong})", identifier)
                )
        else:
            correct_text = f"It runs: `y.shape` is {formula_shape}"
            # The message torch gives one pixel of padding later: what the student fears.
            feared = pool_padding_error(kind, kernel, padding + 1, dilation)
            distractors.append(
                (f"It raises `RuntimeError: {feared}`", POOL_PADDING_LIMIT_MISREAD.id)
            )
            for identifier, wrong in mistakes:
                distractors.append(
                    (f"It runs: `y.shape` is ({batch}, {channels}, {wrong}, {wrong})", identifier)
                )
        choices = build_choices(rng, correct_text, distractors)
        label = correct_label(choices)
        half = f"{kernel / 2:g}"
        if message is not None:
            verdict = (
                f"padding = {padding} is more than kernel_size / 2 = {half}, "
                f"so torch refuses the layer before computing anything:\n\n"
                f"`RuntimeError: {message}`"
            )
            final = f"It raises a RuntimeError -> Option {label}"
        else:
            verdict = (
                f"padding = {padding} is at most kernel_size / 2 = {half}, so "
                "torch accepts it.\n\n"
                + pool_working("H", size, kernel, step, padding, dilation, ceil_mode)
                + "\n\nThe input is square, so W_out = H_out."
            )
            final = f"`y.shape` is {formula_shape} -> Option {label}"
        limit_text = (
            "Pooling pads with −∞ (MaxPool2d) or zeros (AvgPool2d), and torch only allows "
            "padding ≤ kernel_size / 2"
            + (" (of the kernel_size itself, not of the dilated span)" if dilation > 1 else "")
            + f": here 2 × padding = {2 * padding} against kernel_size = {kernel}."
        )
        steps = [
            SolutionStep("Step 1: Check the padding limit", limit_text),
            SolutionStep("Step 2: Decide", verdict),
            SolutionStep("Final answer", final),
            SolutionStep(
                "Quick check",
                "Run it: "
                + (
                    f"torch stops with `RuntimeError: {message}` [OK]"
                    if message
                    else f"`print(y.shape)` shows `torch.Size([{batch}, {channels}, "
                    f"{out}, {out}])` [OK]"
                ),
            ),
        ]
        misconceptions = [c.misconception for c in choices if c.misconception]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "layer": kind,
                "input_shape": [batch, channels, size, size],
                "kernel_size": kernel,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "ceil_mode": ceil_mode,
                "asked": "runs",
            },
            prompt=prompt,
            answer=Answer(
                AnswerKind.CHOICE,
                label,
                raises="RuntimeError" if message else None,
                display=correct_text,
            ),
            choices=choices,
            solution_steps=steps,
            hints=[_HINT_LIMIT, _HINT_STRIDE if stride is None else _HINT_CHANNELS],
            misconceptions=misconceptions,
            answer_format=_CHOICE_FORMAT,
        )


def _settings_text(
    kind: str, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> str:
    if stride is None:
        stride_text = (
            f"stride is not given, so it defaults to kernel_size = {kernel} "
            "(not 1, as it would for Conv2d)"
        )
    else:
        stride_text = f"stride = {stride}"
    return (
        f"`nn.{kind}`: kernel_size = {kernel}, {stride_text}, padding = {padding}"
        + (f", dilation = {dilation}" if dilation > 1 else "")
        + f", ceil_mode = {ceil_mode}."
    )


def _shape_mistakes(
    key: tuple[int, int, int, int],
    height: int,
    width: int,
    kernel: int,
    stride: int | None,
    padding: int,
    dilation: int,
    ceil_mode: bool,
) -> list[tuple[str, tuple[int, ...]]]:
    batch, channels, out_h, out_w = key
    height_mistakes = dict(
        pool_dimension_mistakes(height, kernel, stride, padding, dilation, ceil_mode)
    )
    width_mistakes = (
        height_mistakes
        if width == height
        else dict(pool_dimension_mistakes(width, kernel, stride, padding, dilation, ceil_mode))
    )
    candidates: list[tuple[str, tuple[int, ...]]] = []
    for identifier in dict.fromkeys([*height_mistakes, *width_mistakes]):
        candidates.append(
            (
                identifier,
                (
                    batch,
                    channels,
                    height_mistakes.get(identifier, out_h),
                    width_mistakes.get(identifier, out_w),
                ),
            )
        )
    if out_h != out_w:
        candidates.append(("height_width_swapped", (batch, channels, out_w, out_h)))
    return candidates


def _quick_check(size: int, kernel: int, stride: int, padding: int, dilation: int, out: int) -> str:
    span = dilation * (kernel - 1) + 1
    last_start = (out - 1) * stride
    end = last_start + span - 1
    padded_end = size + 2 * padding - 1
    if end <= padded_end:
        where = f"inside the padded input (indices 0 to {padded_end})"
    else:
        where = (
            f"past the padded input (indices 0 to {padded_end}), which ceil_mode allows "
            f"because it starts at {last_start} < in + padding = {size + padding}"
        )
    return (
        f"Along H the last window starts at padded index {last_start} and ends at {end}, "
        f"{where}. [OK]"
    )


GENERATOR = PoolingGenerator()

__all__ = [
    "AVG_POOL",
    "GENERATOR",
    "MAX_POOL",
    "PoolingGenerator",
    "pool_call",
    "pool_formula",
    "pool_padding_error",
    "pool_too_small_error",
    "pool_working",
]
