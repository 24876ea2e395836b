"""The Textual user interface: the app's widgets and screens."""
