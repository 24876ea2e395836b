"""Sync with a feed server through the Google Reader API (FreshRSS, Miniflux, Inoreader...).

`greader` is the protocol client, `articles` turns server items into articles through the feed
pipeline, `engine` runs one sync (push the queue, pull subscriptions, items and state), `password`
gets the password. The SQL lives in `tuinews.store.sync_state`.
"""
