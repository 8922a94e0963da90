"""智教 Zhijiao — regional smart-education platform."""

__version__ = "0.1.0"
