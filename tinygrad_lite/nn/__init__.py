"""Neural-network building blocks (``tgl.nn``)."""
from .module import Module, Parameter

__all__ = ["Module", "Parameter"]
