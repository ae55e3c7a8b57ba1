"""A set of 64-bit digests in about 14 bytes each, where Python's set of ints takes about 60: the
memory a summary spends to count every distinct sample of a capture once (codegen.infer.summary).

An open-addressing table in an array of unsigned 64-bit ints, probed linearly from a digest's
low bits (digests are uniform: blake2b), grown to twice its size when three quarters full.
0 marks a free slot, so a digest of 0 is stored as 1 (a collision of one value in 2^64).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

_FIRST_SIZE = 8  # slots: a power of two
_MAX_LOAD = (
    0.75  # grow past this share of slots used; linear probing stays short below it
)


class DigestSet:
    __slots__ = ("_table", "_count")

    def __init__(self, digests: Iterable[int] = ()) -> None:
        self._table = array("Q", bytes(8 * _FIRST_SIZE))
        self._count = 0
        for digest in digests:
            self.add(digest)

    def add(self, digest: int) -> bool:
        """Put `digest` in; False when it was in already. (_slot's probe, written out: a set
        takes one digest per sample.)"""
        digest = digest or 1
        table = self._table
        mask = len(table) - 1
        index = digest & mask
        while found := table[index]:
            if found == digest:
                return False
            index = (index + 1) & mask
        table[index] = digest
        self._count += 1
        if self._count > _MAX_LOAD * len(table):
            self._grow()
        return True

    def __contains__(self, digest: object) -> bool:
        return isinstance(digest, int) and bool(self._table[self._slot(digest or 1)])

    def _slot(self, digest: int) -> int:
        """The slot holding `digest`, or else the free slot where it goes."""
        table = self._table
        mask = len(table) - 1
        index = digest & mask
        while True:
            found = table[index]
            if found == digest or found == 0:
                return index
            index = (index + 1) & mask

    def union(self, other: DigestSet) -> DigestSet:
        """A new set holding both sides' digests."""
        bigger, smaller = (self, other) if len(self) >= len(other) else (other, self)
        merged = bigger.copy()
        for digest in smaller:
            merged.add(digest)
        return merged

    def copy(self) -> DigestSet:
        copied = DigestSet()
        copied._table = array("Q", self._table)
        copied._count = self._count
        return copied

    def __iter__(self) -> Iterator[int]:
        return (digest for digest in self._table if digest)

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DigestSet):
            return NotImplemented
        return len(self) == len(other) and all(digest in other for digest in self)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def _grow(self) -> None:
        old = self._table
        table = self._table = array("Q", bytes(16 * len(old)))
        mask = len(table) - 1
        # Distinct digests: each goes to its free slot, with no count or growth to check (the
        # probe written out, as in add: a set grows through every size up to its last).
        for digest in filter(None, old):
            index = digest & mask
            while table[index]:
                index = (index + 1) & mask
            table[index] = digest
