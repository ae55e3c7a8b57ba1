"""The detect_maps pass: objects whose keys are data, not field names, become `dict[str, V]`."""

from __future__ import annotations

from codegen.errors import CodegenError
from codegen.infer import thresholds
from codegen.infer.ir import MapShape, ObjectShape, Shape
from codegen.infer.observe import merge
from codegen.infer.passes.tree import compatible, transform, with_record


def detect_maps(root: Shape) -> Shape:
    """Objects whose keys are data (`{"BTC-USD": {...}, "ETH-USD": {...}}`) become maps.

    Keys count as data by how they look or how they recur (`_keys_are_data`); the values must
    all be one type, so a wide record of fields of different types is never a map. Thresholds
    and the data-key pattern are in `thresholds`; the values merge into one shape.
    A kind of an object union stays a record: it is a message, not a table; so does a record
    whose objects nest in each other (their keys recur: they are fields). The config decides
    either way (`map = true/false`); a forced map's values merge whatever they are.
    """

    def rewrite(shape: Shape) -> Shape:
        record = shape.record
        if isinstance(record, ObjectShape) and record.as_map:
            return with_record(shape, _forced_map(record))
        if (
            not isinstance(record, ObjectShape)
            or record.is_kind
            or record.as_map is False
            or record.anchor is not None
            or len(record.fields) < thresholds.MAP_MIN_KEYS
        ):
            return shape
        if not _keys_are_data(record):
            return shape
        values = record.fields[0].shape
        for item in record.fields[1:]:
            # Against everything merged so far: compatibility is not transitive (`[]` fits both
            # `[{}]` and `[{"a-b": 1, ...}]`, which do not fit each other).
            if not compatible(values, item.shape):
                return shape
            values = merge(values, item.shape)
        return with_record(shape, MapShape(values, record.origin))

    return transform(root, rewrite)


def _forced_map(record: ObjectShape) -> MapShape:
    values = Shape()
    for item in record.fields:
        try:
            values = merge(values, item.shape)
        except ValueError:
            raise CodegenError(
                f"the config makes {record.origin.path} a map, but the values of its keys"
                " are objects of different kinds (a union beside a record); use map ="
                " false, or a map one level down",
                record.origin.location,
            ) from None
    return MapShape(values, record.origin)


def _keys_are_data(record: ObjectShape) -> bool:
    """Keys that look like data (ids, dates, symbols), or that behave like data: most keys
    missing from most objects (each object names a few of many things: `{"alice": ..}`,
    `{"bob": ..}`), or so many keys no class would list them (1,500 emoji names)."""
    fields = record.fields
    if all(thresholds.DATA_KEY.fullmatch(f.key) for f in fields):
        return True
    recurrence = sum(f.present for f in fields) / (len(fields) * record.count)
    sparse = (
        record.single_key < record.count  # one key each: the externally tagged form
        and record.count >= thresholds.MAP_MIN_OBJECTS
        and len(fields) >= thresholds.MAP_MIN_KEYS_SPARSE
        and recurrence <= thresholds.MAP_MAX_KEY_RECURRENCE
    )
    return sparse or len(fields) >= thresholds.MAP_MIN_KEYS_ANY
