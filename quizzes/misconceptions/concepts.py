"""What each nn.Conv2d argument controls, and how its call is written: the classic confusions.

Two families use this area:

* concept MCQs (family 3): "confused X with Y" misconceptions. Their ``wrong_answer`` takes the
  layer's constructor kwargs, the argument the question changes and its new value, and returns the
  kwargs the confused student effectively has in mind (the value lands on the other argument).
* constructor MCQs (family 4): ways of writing the wrong ``nn.Conv2d(...)`` call. Their
  ``wrong_answer`` takes a spec (constructor kwargs as torch names them) and returns the
  ``(args, kwargs)`` of the mistaken call, or None where the mistake changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from quizzes.misconceptions import Misconception, register

# ---------------------------------------------------------------------------------------------
# Concept confusions (family 3): the value meant for one argument treated as another's.


def _moved_to(other: str) -> Callable[[Mapping[str, Any], str, Any], dict[str, Any]]:
    def wrong_answer(layer: Mapping[str, Any], argument: str, value: Any) -> dict[str, Any]:
        """The layer the student pictures: ``argument`` unchanged, ``other`` set to ``value``."""
        pictured = dict(layer)
        pictured[other] = value
        return pictured

    wrong_answer.__name__ = f"moved_to_{other}"
    return wrong_answer


STRIDE_KERNEL_CONFUSED = register(
    Misconception(
        id="stride_kernel_confused",
        title="Confused stride with kernel size",
        explanation=(
            "kernel_size is the size of the window each output looks at; stride is how far that "
            "window moves between neighbouring outputs."
        ),
        hint="One is the window, the other is the step between windows: which is which?",
        wrong_answer=_moved_to("kernel_size"),
    )
)
KERNEL_STRIDE_CONFUSED = register(
    Misconception(
        id="kernel_stride_confused",
        title="Confused kernel size with stride",
        explanation=(
            "kernel_size sets the window (and the weights' height and width); it does not "
            "decide how far the window jumps, which is the stride."
        ),
        hint="Which argument changes the shape of conv.weight?",
        wrong_answer=_moved_to("stride"),
    )
)
PADDING_STRIDE_CONFUSED = register(
    Misconception(
        id="padding_stride_confused",
        title="Confused padding with stride",
        explanation=(
            "padding adds a border (zeros by default) around the input before sliding, which "
            "makes the output larger; stride is the step of the window, which makes it smaller."
        ),
        hint="Which argument adds pixels, and which one skips positions?",
        wrong_answer=_moved_to("stride"),
    )
)
STRIDE_PADDING_CONFUSED = register(
    Misconception(
        id="stride_padding_confused",
        title="Confused stride with padding",
        explanation=(
            "stride is how far the window moves each step (dividing the output size); padding "
            "is the border added around the input (growing the output by 2 per unit)."
        ),
        hint="Does this argument add pixels around the input, or skip window positions?",
        wrong_answer=_moved_to("padding"),
    )
)
FILTERS_KERNEL_CONFUSED = register(
    Misconception(
        id="filters_kernel_confused",
        title="Confused the number of filters with the kernel size",
        explanation=(
            "out_channels is how many filters the layer has, one output channel each; "
            "kernel_size is the height and width of every one of those filters."
        ),
        hint="Which argument sets how many output maps there are, and which sets their window?",
        wrong_answer=_moved_to("kernel_size"),
    )
)
KERNEL_FILTERS_CONFUSED = register(
    Misconception(
        id="kernel_filters_confused",
        title="Confused the kernel size with the number of filters",
        explanation=(
            "kernel_size is each filter's window; the number of filters (and of output "
            "channels) is out_channels."
        ),
        hint="Does a bigger window give more output channels?",
        wrong_answer=_moved_to("out_channels"),
    )
)
DILATION_STRIDE_CONFUSED = register(
    Misconception(
        id="dilation_stride_confused",
        title="Confused dilation with stride",
        explanation=(
            "dilation spaces out the taps inside one window (it widens the window without "
            "adding weights); stride is the distance between neighbouring windows."
        ),
        hint="Gaps inside one window, or gaps between windows?",
        wrong_answer=_moved_to("stride"),
    )
)
DILATION_KERNEL_CONFUSED = register(
    Misconception(
        id="dilation_kernel_confused",
        title="Treated dilation like a bigger kernel",
        explanation=(
            "A dilated k×k kernel spans dilation·(k − 1) + 1 pixels but still has only k×k "
            "weights per channel; a bigger kernel_size adds weights."
        ),
        hint="Does dilation change conv.weight.shape?",
        wrong_answer=_moved_to("kernel_size"),
    )
)
PADDING_KERNEL_CONFUSED = register(
    Misconception(
        id="padding_kernel_confused",
        title="Confused padding with kernel size",
        explanation=(
            "padding is a border added around the input; kernel_size is the window that slides "
            "over the padded input."
        ),
        hint="Which argument is about the input's border, and which about the window?",
        wrong_answer=_moved_to("kernel_size"),
    )
)
GROUPS_FILTERS_CONFUSED = register(
    Misconception(
        id="groups_filters_confused",
        title="Confused groups with the number of filters",
        explanation=(
            "groups splits the channels into independent groups (each filter sees "
            "in_channels / groups of them); the number of filters is still out_channels."
        ),
        hint="Does groups change the output's channel dimension?",
        wrong_answer=_moved_to("out_channels"),
    )
)
IN_CHANNELS_SETS_OUTPUT = register(
    Misconception(
        id="in_channels_sets_output",
        title="Thought in_channels sets the output channels",
        explanation=(
            "in_channels must match the input (each filter's depth); the output has "
            "out_channels channels, one per filter."
        ),
        hint="Which of the two channel arguments describes the input?",
        wrong_answer=_moved_to("out_channels"),
    )
)
STRIDE_FILTERS_CONFUSED = register(
    Misconception(
        id="stride_filters_confused",
        title="Confused stride with the number of filters",
        explanation=(
            "stride is how far the window moves; the number of filters (output channels) is "
            "out_channels. A stride of 2 does not make 2 feature maps."
        ),
        hint="Does the stride appear in the output's channel dimension or in H and W?",
        wrong_answer=_moved_to("out_channels"),
    )
)
DILATION_PADDING_CONFUSED = register(
    Misconception(
        id="dilation_padding_confused",
        title="Confused dilation with padding",
        explanation=(
            "dilation leaves gaps between the kernel's taps (inside the window); padding adds "
            "pixels around the input (outside it)."
        ),
        hint="Does this argument act on the kernel or on the input's border?",
        wrong_answer=_moved_to("padding"),
    )
)
ARGUMENT_ROLE_CONFUSED = register(
    Misconception(
        id="argument_role_confused",
        title="Mixed up what two Conv2d arguments do",
        explanation=(
            "Each nn.Conv2d argument has one job: in_channels (input depth), out_channels "
            "(number of filters), kernel_size (window), stride (step), padding (border), "
            "dilation (gaps between taps), groups (channel split), bias (a constant per filter)."
        ),
        hint="Say what each argument does in one phrase, then match.",
    )
)
BIAS_CHANGES_SHAPE = register(
    Misconception(
        id="bias_changes_shape",
        title="Thought the bias changes the output shape",
        explanation=(
            "bias adds one learnable constant per filter to every output pixel of that filter's "
            "map; it changes the values and the parameter count, never the shape."
        ),
        hint="What does adding a constant to a map do to its shape?",
    )
)

# Effects (family 3, medium): what a change does to the output.
STRIDE_GROWS_OUTPUT = register(
    Misconception(
        id="stride_grows_output",
        title="Thought a larger stride enlarges the output",
        explanation=(
            "A larger stride moves the window further each step, so there are fewer window "
            "positions: the output shrinks, roughly dividing by the stride."
        ),
        hint="Bigger steps over the same input: more positions, or fewer?",
    )
)
PADDING_SHRINKS_OUTPUT = register(
    Misconception(
        id="padding_shrinks_output",
        title="Thought padding shrinks the output",
        explanation=(
            "Padding adds rows and columns around the input before sliding, so there are more "
            "window positions: each unit of padding adds 2 to the output at stride 1."
        ),
        hint="Padding makes the input the window slides over bigger or smaller?",
    )
)
NO_SPATIAL_EFFECT = register(
    Misconception(
        id="no_spatial_effect",
        title="Thought this argument leaves H and W unchanged",
        explanation=(
            "kernel_size, stride, padding and dilation all enter the output-size formula; only "
            "the channel arguments, groups and bias leave H_out and W_out alone."
        ),
        hint="Does this argument appear in the output-size formula?",
    )
)
CHANNELS_CHANGE_SPATIAL = register(
    Misconception(
        id="channels_change_spatial",
        title="Thought the number of filters changes H and W",
        explanation=(
            "out_channels only sets how many maps come out (dim 1); every map has the same "
            "H_out × W_out, decided by kernel_size, stride, padding and dilation."
        ),
        hint="Which dimension of y does the number of filters appear in?",
    )
)

# Scenarios (family 3, hard).
DROPPED_PADDING_TO_DOWNSAMPLE = register(
    Misconception(
        id="dropped_padding_to_downsample",
        title="Removed the padding to downsample",
        explanation=(
            "Without padding the border pixels fall into fewer windows and, with a stride, the "
            "last rows and columns can be skipped entirely; keep padding (k − 1) / 2 and set "
            "stride 2 to halve the size without losing the edges."
        ),
        hint="With the padding gone, does every input pixel still fall inside some window?",
    )
)
DILATION_WITHOUT_PADDING = register(
    Misconception(
        id="dilation_without_padding",
        title="Raised the dilation without raising the padding",
        explanation=(
            "A dilated kernel spans dilation·(k − 1) + 1 pixels, so keeping the size needs "
            "padding dilation·(k − 1) / 2, not the old (k − 1) / 2."
        ),
        hint="How many pixels does the window span after the change?",
    )
)
OVERLAPPING_PATCHES = register(
    Misconception(
        id="overlapping_patches",
        title="Let the patches overlap",
        explanation=(
            "Windows overlap whenever stride < kernel_size; one output per non-overlapping "
            "P×P patch needs kernel_size = stride = P and no padding."
        ),
        hint="How far must the window move so that two windows never share a pixel?",
    )
)
STRIDE_SKIPS_PIXELS = register(
    Misconception(
        id="stride_skips_pixels",
        title="Let the stride skip pixels",
        explanation=(
            "When stride > kernel_size the window jumps over pixels that no output ever sees."
        ),
        hint="Between two neighbouring windows, is any pixel left out?",
    )
)
BIAS_PER_WEIGHT = register(
    Misconception(
        id="bias_per_weight",
        title="Counted one bias per weight",
        explanation="nn.Conv2d has one bias per filter: out_channels biases in total.",
        hint="How many constants does one filter add to its map?",
    )
)
BIAS_PER_PIXEL = register(
    Misconception(
        id="bias_per_pixel",
        title="Counted one bias per output pixel",
        explanation=(
            "The same bias is added at every position of a filter's map, so there are "
            "out_channels biases, whatever H_out and W_out are."
        ),
        hint="Is the bias learned separately for every position?",
    )
)
BIAS_PER_INPUT_CHANNEL = register(
    Misconception(
        id="bias_per_input_channel",
        title="Counted one bias per input channel",
        explanation="Biases belong to the filters (outputs), not the inputs: out_channels of them.",
        hint="Is the bias added before or after the input channels are summed?",
    )
)
SMALLER_KERNEL_TO_SAVE_WEIGHTS = register(
    Misconception(
        id="smaller_kernel_to_save_weights",
        title="Shrank the kernel to save weights",
        explanation=(
            "A smaller kernel cuts weights but also changes the output size (and what each "
            "output sees) unless the padding changes too; groups cuts the weights by exactly "
            "the group count and keeps every shape."
        ),
        hint="Which change keeps y.shape exactly as it was?",
    )
)

# ---------------------------------------------------------------------------------------------
# Constructor calls (family 4): a spec is {in_channels, out_channels, kernel_size, ...}.


def renamed(spec: Mapping[str, Any], real: str, fake: str) -> tuple[list[Any], dict[str, Any]]:
    """The spec written with keywords, ``real`` spelled ``fake`` (TypeError in torch)."""
    kwargs = {fake if name == real else name: value for name, value in spec.items()}
    return [], kwargs


def _kernel_keyword(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    return renamed(spec, "kernel_size", "kernel")


def _padding_keyword(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    if "padding" not in spec:
        return None
    return renamed(spec, "padding", "pad")


def _keras_keywords(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    return renamed(spec, "out_channels", "filters")


def _channel_keywords(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    kwargs = {
        {"in_channels": "input", "out_channels": "output"}.get(name, name): value
        for name, value in spec.items()
    }
    return [], kwargs


def _swap(spec: Mapping[str, Any], first: str, second: str) -> dict[str, Any] | None:
    if spec.get(first) == spec.get(second):
        return None
    swapped = dict(spec)
    swapped[first], swapped[second] = spec.get(second), spec.get(first)
    return {name: value for name, value in swapped.items() if value is not None}


def _all_positive(value: Any) -> bool:
    return min(value) >= 1 if isinstance(value, list | tuple) else value >= 1


def _stride_padding_swapped(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    if not _all_positive(spec.get("padding", 0)):
        return None  # a stride of 0 would be a different mistake
    swapped = _swap({"stride": 1, **spec}, "stride", "padding")
    return None if swapped is None else ([], swapped)


def _kernel_padding_swapped(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    if not _all_positive(spec.get("padding", 0)):
        return None
    swapped = _swap(spec, "kernel_size", "padding")
    return None if swapped is None else ([], swapped)


def _kernel_area(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    kernel = spec["kernel_size"]
    if not isinstance(kernel, int) or kernel < 2:
        return None
    return [], {**spec, "kernel_size": kernel * kernel}


def _positional_order(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    """Positional call written as (in, out, kernel, padding, stride): torch reads stride first."""
    stride, padding = spec.get("stride", 1), spec.get("padding", 0)
    if stride == padding or not _all_positive(padding):
        return None
    rest = {
        name: value
        for name, value in spec.items()
        if name not in ("in_channels", "out_channels", "kernel_size", "stride", "padding")
    }
    args = [spec["in_channels"], spec["out_channels"], spec["kernel_size"], padding, stride]
    return args, rest


def _bias_default(spec: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    if spec.get("bias", True):
        return None
    return [], {name: value for name, value in spec.items() if name != "bias"}


KERNEL_KEYWORD = register(
    Misconception(
        id="kernel_keyword",
        title="Wrote kernel= instead of kernel_size=",
        explanation=(
            "nn.Conv2d has no 'kernel' argument: the keyword is kernel_size, and any unknown "
            'keyword raises TypeError ("got an unexpected keyword argument").'
        ),
        hint="Check the exact keyword names in nn.Conv2d's signature.",
        wrong_answer=_kernel_keyword,
    )
)
PADDING_KEYWORD = register(
    Misconception(
        id="padding_keyword",
        title="Wrote pad= instead of padding=",
        explanation=(
            "The keyword is padding; 'pad' is F.pad's name, and nn.Conv2d raises TypeError for "
            "an unexpected keyword argument."
        ),
        hint="Check the exact keyword names in nn.Conv2d's signature.",
        wrong_answer=_padding_keyword,
    )
)
CHANNEL_KEYWORDS = register(
    Misconception(
        id="channel_keywords",
        title="Wrote input=/output= instead of in_channels=/out_channels=",
        explanation=(
            "The channel arguments are called in_channels and out_channels (or are given "
            "positionally, in that order); input= and output= raise TypeError."
        ),
        hint="Check the exact keyword names in nn.Conv2d's signature.",
        wrong_answer=_channel_keywords,
    )
)
KERAS_KEYWORDS = register(
    Misconception(
        id="keras_keywords",
        title="Used Keras argument names",
        explanation=(
            "Keras's Conv2D takes filters=, strides=, use_bias=, dilation_rate=; PyTorch's "
            "nn.Conv2d takes out_channels=, stride=, bias=, dilation=. The Keras names raise "
            "TypeError in torch."
        ),
        hint="Are these PyTorch's names, or another library's?",
        wrong_answer=_keras_keywords,
    )
)
STRIDE_PADDING_SWAPPED = register(
    Misconception(
        id="stride_padding_swapped",
        title="Swapped the stride and padding values",
        explanation=(
            "stride is the step between windows and padding is the border width; read the spec "
            "again and put each number on its own keyword."
        ),
        hint="Which number is the step, and which is the border?",
        wrong_answer=_stride_padding_swapped,
    )
)
POSITIONAL_ORDER = register(
    Misconception(
        id="positional_order",
        title="Passed stride and padding in the wrong positional order",
        explanation=(
            "The positional order is nn.Conv2d(in_channels, out_channels, kernel_size, stride, "
            "padding, dilation, groups, bias): the fourth number is the stride, the fifth the "
            "padding. Keywords avoid the mix-up."
        ),
        hint="Which argument comes fourth in nn.Conv2d's signature?",
        wrong_answer=_positional_order,
    )
)
KERNEL_PADDING_SWAPPED = register(
    Misconception(
        id="kernel_padding_swapped",
        title="Swapped the kernel size and padding values",
        explanation="kernel_size is the window; padding is the border added around the input.",
        hint="Which number describes the window?",
        wrong_answer=_kernel_padding_swapped,
    )
)
KERNEL_AREA = register(
    Misconception(
        id="kernel_area",
        title="Gave the kernel's area instead of its side",
        explanation=(
            "kernel_size=3 already means a 3×3 window (an int is used for both height and "
            "width); kernel_size=9 would be a 9×9 window."
        ),
        hint="Does kernel_size=3 mean 3 weights, or a 3×3 window?",
        wrong_answer=_kernel_area,
    )
)
BIAS_DEFAULT = register(
    Misconception(
        id="bias_default",
        title="Forgot that bias defaults to True",
        explanation=(
            "nn.Conv2d adds a bias unless you pass bias=False; leaving the argument out keeps "
            "the bias."
        ),
        hint="What is bias when the call does not mention it?",
        wrong_answer=_bias_default,
    )
)
INT_ARGUMENT_ONE_DIMENSION = register(
    Misconception(
        id="int_argument_one_dimension",
        title="Thought an int argument covers only one dimension",
        explanation=(
            "An int kernel_size, stride, padding or dilation applies to height and width alike; "
            "different values per dimension need a (height, width) tuple."
        ),
        hint="What does stride=2 do to the width?",
    )
)
