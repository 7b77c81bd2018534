"""cassibile: a source-grounded linked-data publication of the Armistice of Cassibile."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cassibile")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
