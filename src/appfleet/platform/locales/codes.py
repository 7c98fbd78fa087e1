"""What the CLI needs of locales, on its own: it reads these without importing the services."""

BASE = "en"  # every bundle's keys are English's; other languages fall back to it
LANG_PATTERN = r"^[a-z]{2}(-[A-Z]{2})?$"
TRANSLATE_LIMIT = 500  # keys one translation job asks the model for, at most
