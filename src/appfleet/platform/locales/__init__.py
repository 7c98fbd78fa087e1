"""Locale bundles: each app's UI strings and shared motivational phrases, per language."""
