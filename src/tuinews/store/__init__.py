"""The SQLite cache: every article lands here, so everything reads offline."""

from tuinews.store.db import HeadlineFilter, Store, StoreError, UpsertCounts

__all__ = ["HeadlineFilter", "Store", "StoreError", "UpsertCounts"]
