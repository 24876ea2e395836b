"""Rendering: stored articles to Rich renderables, treating all article text as data."""
