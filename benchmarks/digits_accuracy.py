"""Test accuracy of chapter 7's digits network, trained exactly as in the chapter.

``mlp([64, 256, 10], "relu", seed=0)`` on the pixels / 16, a quarter of the images held out
(``seed=0``), SGD with learning rate 0.1 and momentum 0.9, batches of 64, 20 epochs, with one
BLAS thread (the chapter's ``threadpool_limits(1)``: for products this small, a second thread
costs more than it saves).
"""

from __future__ import annotations

import time

from threadpoolctl import threadpool_limits

from backprop import data
from backprop.layers import mlp
from backprop.losses import SoftmaxCrossEntropy
from backprop.train import accuracy, fit


def run() -> dict[str, float]:
    X, y = data.digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16.0, y, test_fraction=0.25,
                                                             seed=0)
    net = mlp([64, 256, 10], "relu", seed=0)
    with threadpool_limits(1):
        start = time.perf_counter()
        fit(net, SoftmaxCrossEntropy(), X_train, y_train, epochs=20, batch_size=64, lr=0.1,
            momentum=0.9, seed=0, progress=False)
        seconds = time.perf_counter() - start
    acc = accuracy(net, X_test, y_test)
    print(f"digits 64-256-10: test accuracy {acc:.4f} on {len(y_test)} images, "
          f"20 epochs in {seconds:.2f} s")
    return {"digits_test_accuracy": acc, "digits_train_s": seconds}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.4f}")
