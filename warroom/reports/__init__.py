"""Renderers for reports and exports (Markdown, JSON, CSV)."""
