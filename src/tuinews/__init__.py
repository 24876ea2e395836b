"""tuinews: a terminal news reader for local articles and feeds, offline and multilingual."""

__version__ = "0.1.0"
