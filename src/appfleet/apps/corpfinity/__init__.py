"""CorpFinity, the workplace wellness app (seed 000)."""
