"""FitNudge, the fitness-motivation app (seed 001)."""
