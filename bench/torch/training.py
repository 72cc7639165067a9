"""PyTorch side of the training bench row: the Fashion-MNIST CNN of configs/fashion-mnist-cnn.json,
written as a PyTorch user would, trained on the same images with the same batch size and optimiser.

Keras defaults are matched where they change the work done or the numbers: 'same' padding, no conv
bias before batch norm, batch-norm epsilon 1e-3 and momentum 0.99 (PyTorch's 0.01), Adam epsilon
1e-7. One timed run is one epoch of BATCHES shuffled batches reading the batch's loss and number
of correct predictions, as Glassbox's trainer does.
"""
import gzip
import os

import numpy as np
import torch
from torch import nn

BATCHES = 20
BATCH_SIZE = 64
LEARNING_RATE = 0.002
# Trainable parameters of the config's network; bench/rows/training.ts checks Glassbox's against it.
TRAINABLE_PARAMS = 206_970
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def conv_block(cin, cout, dropout=0.0):
    layers = [
        nn.Conv2d(cin, cout, 3, padding="same", bias=False),
        nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01),
        nn.ReLU(),
        nn.MaxPool2d(2),
    ]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return layers


def fashion_cnn():
    return nn.Sequential(
        *conv_block(1, 16),
        *conv_block(16, 32, dropout=0.2),
        nn.Flatten(),
        nn.Linear(7 * 7 * 32, 128),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(128, 10),
    )


def training_images(count, seed):
    """The first `count` Fashion-MNIST training images (pixels/255, NCHW) and labels, or seeded
    uniform noise when the Debian package is absent (the same choice Glassbox's side makes)."""
    images = os.path.join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz")
    labels = os.path.join(FASHION_MNIST_DIR, "train-labels-idx1-ubyte.gz")
    if os.path.exists(images) and os.path.exists(labels):
        with gzip.open(images, "rb") as f:
            x = np.frombuffer(f.read(), np.uint8, offset=16)[: count * 784].astype(np.float32) / 255
        with gzip.open(labels, "rb") as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)[:count].astype(np.int64)
        return torch.from_numpy(x.reshape(count, 1, 28, 28)), torch.from_numpy(y)
    g = torch.Generator().manual_seed(seed)
    return torch.rand(count, 1, 28, 28, generator=g), torch.arange(count) % 10


def train_fashion_cnn(state):
    torch.manual_seed(state["seed"])
    model = fashion_cnn()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == TRAINABLE_PARAMS, f"PyTorch Fashion-MNIST CNN has {trainable} trainable parameters, expected {TRAINABLE_PARAMS}"
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x, y = training_images(BATCHES * BATCH_SIZE, state["seed"])
    model.train()

    def run():
        order = torch.randperm(len(y))
        for b in range(BATCHES):
            idx = order[b * BATCH_SIZE : (b + 1) * BATCH_SIZE]
            optimizer.zero_grad(set_to_none=True)
            logits = model(x[idx])
            loss = loss_fn(logits, y[idx])
            loss.backward()
            optimizer.step()
            loss.item(), (logits.argmax(1) == y[idx]).sum().item()

    return run
