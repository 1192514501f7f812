"""Automatic differentiation: graph nodes, the backward engine, grad mode,
gradient checking and anomaly detection (``tgl.autograd``)."""
from .anomaly import detect_anomaly, is_anomaly_enabled
from .engine import backward, grad
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["Function", "backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "detect_anomaly", "is_anomaly_enabled", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled"]
