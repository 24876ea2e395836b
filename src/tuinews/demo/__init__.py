"""The bundled demo library: short articles in several languages and formats."""
