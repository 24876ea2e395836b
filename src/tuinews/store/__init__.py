"""The SQLite cache: every article lands here, so everything reads offline."""

from tuinews.store.db import FeedState, HeadlineFilter, Store, StoreError, UpsertCounts

__all__ = ["FeedState", "HeadlineFilter", "Store", "StoreError", "UpsertCounts"]
