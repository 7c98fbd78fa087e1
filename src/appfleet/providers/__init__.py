"""Providers: email, push, storage, payments and AI — each a local and a real implementation."""
