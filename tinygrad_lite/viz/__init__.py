"""See the graph (``tgl.viz``): pictures of what ``backward()`` walks, and a
table of a model's layers.

* `draw_graph(root, params=None, ...)` -> a ``graphviz.Digraph`` of the
  operations and tensors behind `root`, with values, gradients, colours by
  role and a box per ``nn.Module`` call.
* `retain_grads(root)`: keep every intermediate gradient in the next
  ``backward()`` so that `draw_graph` shows a gradient at every node.
* `summary(model, *example_inputs)` -> a table of modules, output shapes
  and parameter counts (also printed).

The ``graphviz`` Python package is imported only when drawing; rendering
(``.render()``, ``.pipe()``) needs the Graphviz ``dot`` program.
"""
from .graph import draw_graph, retain_grads
from .summary import summary

__all__ = ["draw_graph", "retain_grads", "summary"]
