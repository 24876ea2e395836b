"""tuinews's own colour themes, registered beside Textual's built-in ones.

Both keep unread titles (bold, full foreground) well apart from read ones (dim): the foreground has
strong contrast with the background, so dimming it still reads but clearly recedes.
"""

from __future__ import annotations

from textual.app import App
from textual.theme import BUILTIN_THEMES, Theme

TUINEWS_DARK = Theme(
    name="tuinews-dark",
    primary="#7AA2F7",
    secondary="#9D7CD8",
    accent="#E0AF68",
    foreground="#DCE1EA",
    background="#1A1C22",
    surface="#22252D",
    panel="#2D313B",
    success="#9ECE6A",
    warning="#E0AF68",
    error="#F7768E",
    dark=True,
    variables={
        "footer-key-foreground": "#E0AF68",
        "block-cursor-background": "#3B4261",
        "block-cursor-foreground": "#F2F4F8",
        "block-cursor-text-style": "none",
    },
)
TUINEWS_LIGHT = Theme(
    name="tuinews-light",
    primary="#1F5FA8",
    secondary="#7A4CA0",
    accent="#B35C00",
    foreground="#202124",
    background="#FBF8F1",
    surface="#F3EFE5",
    panel="#E4DED0",
    success="#2E7D32",
    warning="#A66300",
    error="#C62828",
    dark=False,
    variables={
        "footer-key-foreground": "#B35C00",
        "block-cursor-background": "#D5E3F5",
        "block-cursor-foreground": "#101114",
        "block-cursor-text-style": "none",
    },
)
THEMES = (TUINEWS_DARK, TUINEWS_LIGHT)


def register_themes(app: App) -> None:
    """Make the tuinews themes available to `app` (Textual's own are there already)."""
    for theme in THEMES:
        app.register_theme(theme)


def theme_names() -> list[str]:
    """Every theme `[ui] theme` may name: ours first, then Textual's built-in ones."""
    ours = [theme.name for theme in THEMES]
    return ours + sorted(name for name in BUILTIN_THEMES if name not in ours)
