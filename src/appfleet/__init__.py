"""appfleet: one backend for a fleet of mobile apps."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("appfleet")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
