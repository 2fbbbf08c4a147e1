"""Batch analysis at scale: many files in, Parquet analyses out, on local cores or Dask.

``run_batch`` analyses; ``aggregate`` turns a folder of analyses into per-title
figures. Both engines run the same ``analyze_partition`` (``Pipeline.pipe``
over one partition); see docs/performance.md for the figures.
"""

from critica.batch.aggregate import aggregate
from critica.batch.run import BatchOptions, BatchSummary, expand, run_batch

__all__ = ["BatchOptions", "BatchSummary", "aggregate", "expand", "run_batch"]
