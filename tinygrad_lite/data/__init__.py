"""Datasets and batching (``tgl.data``), with ``torch.utils.data``'s names.

    from tinygrad_lite.data import DataLoader, TensorDataset, random_split
    train, val = random_split(TensorDataset(X, y), [0.8, 0.2])
    for xb, yb in DataLoader(train, batch_size=64, shuffle=True):
        ...
"""
from .collate import default_collate, default_convert
from .dataset import ConcatDataset, Dataset, SizeMismatchError, Subset, TensorDataset, random_split
from .loader import DataLoader
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler)

__all__ = [
    "Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader",
    "default_collate", "default_convert", "Sampler", "SequentialSampler", "RandomSampler",
    "SubsetRandomSampler", "BatchSampler", "SizeMismatchError",
]
