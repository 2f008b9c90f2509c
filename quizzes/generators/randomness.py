"""A small, fast, seedable random source for question generation.

``random.Random`` spends ~10 µs seeding its 624-word Mersenne Twister state, which alone would
cap a family well under the 20,000 variants/s target. BLAKE2b in counter mode costs one hash per
16 words; its stream for a given seed is fixed forever (no dependence on the Python
version), which is what "same template + seed gives the same variant" needs. Not for secrets.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

_WORDS = struct.Struct("<16I")
_blake2b = hashlib.blake2b  # digest_size defaults to 64, the 16 words we unpack
T = TypeVar("T")


class QuestionRandom:
    __slots__ = ("_block", "_index", "_key", "_values")

    def __init__(self, seed_text: str) -> None:
        self._key = seed_text.encode()
        # Block 0 inline: an all-zero salt is BLAKE2b's default, and most questions need no more.
        self._values = _WORDS.unpack(_blake2b(self._key).digest())
        self._block = 1
        self._index = 0

    def _refill(self) -> None:
        # Counter mode over BLAKE2b: 16 fresh 32-bit words per hash, so a question's dozen draws
        # cost one hash and some tuple lookups.
        digest = _blake2b(self._key, salt=self._block.to_bytes(16, "little")).digest()
        self._values = _WORDS.unpack(digest)
        self._block += 1
        self._index = 0

    def next32(self) -> int:
        if self._index == 16:
            self._refill()
        value = self._values[self._index]
        self._index += 1
        return value

    def randint(self, low: int, high: int) -> int:
        """An int in [low, high], both included (modulo bias is below 1e-6 for spans we use)."""
        span = high - low + 1
        if span <= 0:
            raise ValueError(f"empty range [{low}, {high}]")
        if span > 4096:
            return low + ((self.next32() << 32) | self.next32()) % span
        # next32() inlined: randint is the draw every family makes most.
        index = self._index
        if index == 16:
            self._refill()
            index = 0
        self._index = index + 1
        return low + self._values[index] % span

    def random(self) -> float:
        return ((self.next32() << 21) ^ self.next32()) / 9007199254740992.0

    def choice(self, options: Sequence[T]) -> T:
        if not options:
            raise IndexError("cannot choose from an empty sequence")
        index = self._index
        if index == 16:
            self._refill()
            index = 0
        self._index = index + 1
        return options[self._values[index] % len(options)]

    def shuffle(self, items: MutableSequence[T]) -> None:
        # Fisher-Yates reading the words straight from the block (the same words next32() would
        # give, in the same order): every MCQ shuffles its options and a method call per swap
        # cost more than the swap.
        values, position = self._values, self._index
        for index in range(len(items) - 1, 0, -1):
            if position == 16:
                self._refill()
                values, position = self._values, 0
            other = values[position] % (index + 1)
            position += 1
            items[index], items[other] = items[other], items[index]
        self._index = position

    def sample(self, options: Sequence[T], count: int) -> list[T]:
        pool = list(options)
        self.shuffle(pool)
        return pool[:count]
