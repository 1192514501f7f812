"""Ready-made data sets (``tgl.datasets``), each returning ``(X, y)`` tensors.

* `load_digits` -- 1797 8x8 handwritten digits shipped with the package
  (UCI, CC BY 4.0: see DATA_NOTICE.md).
* `load_mnist` -- MNIST from the standard IDX files in a local folder.
* `make_moons`, `make_circles`, `make_spirals` -- small generated 2-D
  problems, seeded (moons and circles match scikit-learn's numbers).

Nothing here unpickles or downloads anything.
"""
from .digits import load_digits
from .mnist import load_mnist
from .synthetic import make_circles, make_moons, make_spirals

__all__ = ["load_digits", "load_mnist", "make_moons", "make_circles", "make_spirals"]
