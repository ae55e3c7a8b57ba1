"""codegen: captured JSON samples in, a typed, vendorable Python package out.

The pipeline is one module (or small package) per stage:
ingest (files -> samples) -> infer (samples -> shape IR) -> schema (IR -> JSON Schema)
-> render (schema -> Python source) -> write (atomic package output, check).
"""
