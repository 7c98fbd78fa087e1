"""Typed client SDKs generated from each app's OpenAPI document."""
