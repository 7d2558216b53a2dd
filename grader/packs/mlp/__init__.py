"""The MLP pack: multilayer perceptrons from scratch in numpy.

What it adds to the core (see grader/packs/__init__.py), by the names task files use:

- check kinds (checks/): init_shapes, init_scale, init_uses_rng (init.py),
  forward_layers, backward_matches, gradient_check, predict_labels, integer_labels
  (network.py), minibatch_property (batching.py), learns (training.py);
- detectors (diagnosis/): one per function of the mlp task, plus mutates_input (any
  function that changes its arguments) and train (what train's loop does);
- dataset loaders (datasets.py): ``mnist`` (the four IDX files of a folder) and ``xor``;
- harness routines (harness.py, run in the worker): loss_numgrad, trace_train.

The kinds and detectors read the row-major contract of tasks/mlp (X of shape (N, D)); a
column-major task (tasks/dnn_colmajor) uses the pack's datasets and its own detectors
(diagnosis/colmajor.py) with the core's generic kinds.
"""
from pathlib import Path

from grader.packs import Loader, Pack

from . import datasets
from .checks.batching import minibatch_property
from .checks.init import init_scale, init_shapes, init_uses_rng
from .checks.network import backward_matches, forward_layers, gradient_check, integer_labels, predict_labels
from .checks.training import learns
from .diagnosis import colmajor, elementwise, network, numgrad, outputs, train_loop, training

KINDS = (init_shapes, init_scale, init_uses_rng, forward_layers, backward_matches, gradient_check,
         predict_labels, integer_labels, minibatch_property, learns)
DETECTORS = (
    elementwise.sigmoid_grad, elementwise.tanh, elementwise.mutates_input,
    outputs.softmax, outputs.one_hot, outputs.cross_entropy, outputs.preprocess,
    network.init_params, network.forward, network.backward,
    training.sgd_step, training.minibatches, training.predict, training.accuracy,
    numgrad.numerical_gradient, train_loop.train,
    *colmajor.DETECTORS,
)

assert len({d.__name__ for d in DETECTORS}) == len(DETECTORS), "two detectors share a name"


def _xor(path):
    X, y = datasets.xor()
    return {"X": X, "y": y}


PACK = Pack(
    name="mlp",
    kinds={kind.__name__: kind for kind in KINDS},
    detectors={d.__name__: d for d in DETECTORS},
    loaders={"xor": Loader(_xor, parts=("X", "y")),
             "mnist": Loader(datasets.load_mnist, parts=tuple(datasets.MNIST_FILES),
                             files=tuple(datasets.MNIST_FILES.values()))},
    harness=(Path(__file__).with_name("harness.py"),),
    data=Path(__file__).resolve().with_name("data"),      # data/mnist: the MNIST subset
    evidence_modules=("grader.packs.mlp.diagnosis.variants",),   # bug variants: a kit records them
)
