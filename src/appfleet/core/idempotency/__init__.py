"""Idempotency keys: a retried POST/PATCH/DELETE returns the first result and changes nothing twice.

The stored response is written in the same transaction as the change it describes, so either both
commit or neither does.
"""
