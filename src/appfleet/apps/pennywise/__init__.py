"""PennyWise, the personal-finance app (seed 003)."""
