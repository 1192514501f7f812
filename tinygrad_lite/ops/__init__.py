"""The differentiable operations, one small class each.

elementwise  arithmetic and pointwise functions
reduce       sums, means, variances, maxima, logsumexp, products
movement     reshape, permute, expand, indexing, concatenation, padding
linalg       matrix products and einsum
nn_ops       fused neural-network operations (softmax, losses, conv, ...)
"""
