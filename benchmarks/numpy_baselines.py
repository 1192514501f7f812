"""Hand-written numpy forward and backward: the floor every workload is
measured against (the style of the course: cache the forward values, then
apply the chain rule by hand, layer by layer)."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple:
    """Mean cross-entropy of integer labels and its gradient wrt logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(probs[np.arange(n), y]).mean()
    dlogits = probs
    dlogits[np.arange(n), y] -= 1
    return loss, dlogits / n


class MLP:
    """L-layer ReLU network trained with SGD, weights (out, in) like nn.Linear."""

    def __init__(self, weights: list, biases: list, lr: float) -> None:
        self.W = [w.copy() for w in weights]
        self.b = [b.copy() for b in biases]
        self.lr = lr

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        A, cache = X, []
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            Z = A @ W.T + b
            cache.append((A, Z))
            A = np.maximum(Z, 0) if l < len(self.W) - 1 else Z
        loss, dZ = softmax_cross_entropy(A, y)
        for l in reversed(range(len(self.W))):
            A_prev, _ = cache[l]
            dW = dZ.T @ A_prev
            db = dZ.sum(axis=0)
            if l:
                dZ = (dZ @ self.W[l]) * (cache[l - 1][1] > 0)
            self.W[l] -= self.lr * dW
            self.b[l] -= self.lr * db
        return float(loss)


class MoonsMLP:
    """micrograd's demo: MLP 2-16-16-1 (ReLU), max-margin loss + L2, SGD."""

    def __init__(self, weights: list, biases: list, lr: float, alpha: float = 1e-4) -> None:
        self.W = [w.copy() for w in weights]
        self.b = [b.copy() for b in biases]
        self.lr, self.alpha = lr, alpha

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        A, cache = X, []
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            Z = A @ W.T + b
            cache.append((A, Z))
            A = np.maximum(Z, 0) if l < len(self.W) - 1 else Z
        margins = 1 - y[:, None] * A
        hinge = np.maximum(margins, 0)
        reg = self.alpha * sum((W * W).sum() for W in self.W)
        loss = hinge.mean() + reg
        dZ = (margins > 0) * -y[:, None] / hinge.size
        for l in reversed(range(len(self.W))):
            A_prev, _ = cache[l]
            dW = dZ.T @ A_prev + 2 * self.alpha * self.W[l]
            db = dZ.sum(axis=0)
            if l:
                dZ = (dZ @ self.W[l]) * (cache[l - 1][1] > 0)
            self.W[l] -= self.lr * dW
            self.b[l] -= self.lr * db
        return float(loss)


def _im2col(x: np.ndarray, k: int, pad: int) -> np.ndarray:
    """(N, C, H, W) -> a (N*H'*W', C*k*k) matrix of the padded input's windows."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(xp, (k, k), axis=(2, 3)).transpose(0, 2, 3, 1, 4, 5)
    n, h, w = windows.shape[:3]
    return windows.reshape(n * h * w, -1)  # one copy, then plain matmuls


def _conv_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, pad: int) -> tuple:
    n, _, h, w = x.shape
    cols = _im2col(x, W.shape[2], pad)
    out = cols @ W.reshape(W.shape[0], -1).T + b  # (N*H*W, O)
    return out.reshape(n, h, w, -1).transpose(0, 3, 1, 2), cols


def _conv_backward(dout: np.ndarray, cols: np.ndarray, x_shape: tuple, W: np.ndarray,
                   pad: int) -> tuple:
    n, c, h, w = x_shape
    k = W.shape[2]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, W.shape[0])  # (N*H*W, O)
    dW = (d.T @ cols).reshape(W.shape)
    db = d.sum(axis=0)
    dcols = (d @ W.reshape(W.shape[0], -1)).reshape(n, h, w, c, k, k)
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dout.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + h, j:j + w] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dxp[:, :, pad:pad + h, pad:pad + w], dW, db


def _pool_forward(x: np.ndarray) -> tuple:
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2)
    out = windows.max(axis=(3, 5))
    mask = windows == out[:, :, :, None, :, None]
    return out, mask


def _pool_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, c, h2, _, w2, _ = mask.shape
    dx = mask * dout[:, :, :, None, :, None]
    return dx.reshape(n, c, h2 * 2, w2 * 2)


class LeNet:
    """conv 1->8 3x3 pad 1, relu, maxpool 2, conv 8->16 3x3 pad 1, relu,
    maxpool 2, linear 784->10, cross-entropy, SGD: plain numpy im2col."""

    def __init__(self, params: dict, lr: float) -> None:
        self.p = {k: v.copy() for k, v in params.items()}
        self.lr = lr

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        p = self.p
        z1, cols1 = _conv_forward(X, p["c1.weight"], p["c1.bias"], 1)
        a1 = np.maximum(z1, 0)
        h1, mask1 = _pool_forward(a1)
        z2, cols2 = _conv_forward(h1, p["c2.weight"], p["c2.bias"], 1)
        a2 = np.maximum(z2, 0)
        h2, mask2 = _pool_forward(a2)
        flat = h2.reshape(X.shape[0], -1)
        logits = flat @ p["fc.weight"].T + p["fc.bias"]
        loss, dlogits = softmax_cross_entropy(logits, y)
        grads = {"fc.weight": dlogits.T @ flat, "fc.bias": dlogits.sum(0)}
        dh2 = (dlogits @ p["fc.weight"]).reshape(h2.shape)
        dz2 = _pool_backward(dh2, mask2) * (z2 > 0)
        dh1, grads["c2.weight"], grads["c2.bias"] = _conv_backward(
            dz2, cols2, h1.shape, p["c2.weight"], 1)
        dz1 = _pool_backward(dh1, mask1) * (z1 > 0)
        _, grads["c1.weight"], grads["c1.bias"] = _conv_backward(
            dz1, cols1, X.shape, p["c1.weight"], 1)
        for k, g in grads.items():
            p[k] -= self.lr * g
        return float(loss)
