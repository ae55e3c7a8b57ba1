"""The similar-records pass: one object seen with a few keys more or less is one class.

An API's `Issue` comes with and without `pull_request`, its `Repository` with a few more keys in
one event than in another. Dedupe merges records with the same keys only; this pass merges
records held under keys that name the same thing (`issue` and `issue`, `app` and
`performed_via_github_app`, items of `orders` and an `order`) when they share most of their keys
and the shared keys hold the same types. The keys one of them lacks become optional. Records that
merely share a few keys (`id`, `name`), or are held under keys that name different things, stay
apart. Kinds of a message union never merge: their tag is what they are.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from codegen.infer import thresholds
from codegen.infer.ir import ObjectShape, ObjectUnion, Shape, TaggedUnion
from codegen.infer.naming import is_event_tag, singular
from codegen.infer.observe import merge_records
from codegen.infer.passes.dedupe import dedupe
from codegen.infer.passes.tree import compatible, rebuild_shape, value_children
from codegen.jsonpath import child_path
from codegen.words import words


@dataclass
class _Sightings:
    """Where a record sits: the nouns of the keys holding it, and the paths (for evidence)."""

    nouns: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)
    inside: set[ObjectShape] = field(
        default_factory=set
    )  # records it holds, at any depth


def merge_similar(root: Shape) -> Shape:
    """Merge similar records until none are left; dedupe after each round, since parents of
    merged records may now be equal."""
    while True:
        sightings: dict[ObjectShape, _Sightings] = {}
        _sight(root, "", "$", sightings)
        merged = _merges(sightings)
        if not merged:
            return root
        root = dedupe(_replace(root, merged))


def similar(left: ObjectShape, right: ObjectShape) -> str | None:
    """Why two records (held under keys naming the same thing) are one, or None if they are not.

    Most keys shared (`keys_alike`), every shared key holding compatible values.
    """
    if left.is_kind or right.is_kind or left.tags or right.tags:
        return None
    mine, theirs = left.keys, right.keys
    if not keys_alike(mine, theirs):
        return None
    shared = mine & theirs
    others = {f.key: f.shape for f in right.fields}
    if not all(
        compatible(f.shape, others[f.key]) for f in left.fields if f.key in shared
    ):
        return None
    return f"{len(shared)} of {len(mine | theirs)} keys shared"


def keys_alike(left: frozenset[str], right: frozenset[str]) -> bool:
    """Not the same keys, but at least SIMILAR_MIN_SHARED_KEYS shared and the keys only one has
    at most SIMILAR_MAX_DIFFERENT_SHARE of all."""
    different = left ^ right
    if not different or len(left & right) < thresholds.SIMILAR_MIN_SHARED_KEYS:
        return False
    return len(different) <= thresholds.SIMILAR_MAX_DIFFERENT_SHARE * len(left | right)


def _merges(sightings: dict[ObjectShape, _Sightings]) -> dict[ObjectShape, ObjectShape]:
    """Clusters of similar records, each member mapped to the cluster's merge.

    Records are taken in order of first sighting; one joins the first cluster it is similar to
    in every member (so that A~B and B~C never pull in an A that C does not resemble). A cluster
    whose first member's keys are not alike the record's (`keys_alike`) cannot be that cluster:
    the clusters of a noun are grouped by those keys, and only the groups of alike keys are
    tried, so records with the same keys under one noun are never compared one by one.
    """
    records = sorted(sightings, key=lambda record: record.origin)
    by_noun: dict[str, _Clusters] = {}
    clusters: list[list[ObjectShape]] = []
    for record in records:
        seen = sightings[record]
        home = None
        for noun in sorted(seen.nouns):
            for cluster in by_noun.get(noun, _Clusters()).alike(record.keys):
                if all(
                    similar(member, record) is not None
                    and member not in seen.inside
                    and record not in sightings[member].inside
                    for member in cluster
                ):
                    home = cluster
                    break
            if home is not None:
                break
        if home is None:
            home = []
            clusters.append(home)
        home.append(record)
        if not _may_be_similar(home[0]):
            continue  # no record will ever join it
        for noun in seen.nouns:
            by_noun.setdefault(noun, _Clusters()).add(home)
    merged: dict[ObjectShape, ObjectShape] = {}
    for cluster in clusters:
        if len(cluster) < 2:
            continue
        result = cluster[0]
        for member in cluster[1:]:
            combined = merge_records(result, member)
            assert isinstance(combined, ObjectShape)
            result = combined
        places = sorted(
            {path for member in cluster for path in sightings[member].paths}
        )
        result = replace(
            result,
            evidence=f"one object seen with different keys at {', '.join(places)}"
            f" ({similar(cluster[0], cluster[1])} by the first two)",
        )
        merged.update((member, result) for member in cluster)
    return merged


def _may_be_similar(record: ObjectShape) -> bool:
    """A kind of a message union is similar to nothing, nor is a record with too few keys."""
    return not (record.is_kind or record.tags) and (
        len(record.fields) >= thresholds.SIMILAR_MIN_SHARED_KEYS
    )


@dataclass
class _Clusters:
    """The clusters held under one noun, in the order they came to it, grouped by the keys of
    their first member."""

    by_keys: dict[frozenset[str], list[tuple[int, list[ObjectShape]]]] = field(
        default_factory=dict
    )
    held: set[int] = field(default_factory=set)  # by identity: clusters are lists

    def add(self, cluster: list[ObjectShape]) -> None:
        if id(cluster) not in self.held:
            self.by_keys.setdefault(cluster[0].keys, []).append(
                (len(self.held), cluster)
            )
            self.held.add(id(cluster))

    def alike(self, keys: frozenset[str]) -> Iterator[list[ObjectShape]]:
        """In order, the clusters whose first member has keys alike `keys`."""
        groups = [
            group for first, group in self.by_keys.items() if keys_alike(first, keys)
        ]
        for _, cluster in heapq.merge(*groups, key=lambda entry: entry[0]):
            yield cluster


def _sight(
    shape: Shape, key: str, path: str, found: dict[ObjectShape, _Sightings]
) -> set[ObjectShape]:
    """Record where each ObjectShape sits; returns the records inside `shape` (itself included)."""
    inside: set[ObjectShape] = set()
    for child in value_children(shape):
        inside |= _sight(child, key, path + "[*]", found)
    record = shape.record
    if isinstance(record, ObjectShape):
        seen = found.setdefault(record, _Sightings())
        if words(key):  # the root is held by no key
            seen.nouns.update(singular(words(key))[-1:])
        seen.paths.append(path)
        below: set[ObjectShape] = set()
        for item in record.fields:
            below |= _sight(item.shape, item.key, child_path(path, item.key), found)
        seen.inside |= below
        inside |= below | {record}
    elif isinstance(record, ObjectUnion):
        for variant in record.variants:
            inside |= _sight(variant.shape, str(variant.tag), path, found)
    elif isinstance(record, TaggedUnion):
        for tagged in record.variants:
            step = path if record.out_of_band else child_path(path, tagged.tag)
            said = words(tagged.tag)  # `position_created` holds a position
            noun = "_".join(said[:-1] if is_event_tag(said) and len(said) > 1 else said)
            inside |= _sight(tagged.shape, noun, step, found)
    elif record is not None:
        inside |= _sight(record.values, key, path + ".*", found)
    return inside


def _replace(shape: Shape, merged: dict[ObjectShape, ObjectShape]) -> Shape:
    """Top-down, as dedupe replaces: a merged record first, then its children."""
    if isinstance(shape.record, ObjectShape) and shape.record in merged:
        shape = replace(shape, record=merged[shape.record])
    return rebuild_shape(shape, lambda child: _replace(child, merged))
