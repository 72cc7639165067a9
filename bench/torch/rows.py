"""PyTorch side of each bench row: name -> prepare(state) returning the function to time.

`state` holds the model, its Grad-CAM layer, a seeded input and the target class. Adding a row is
adding a function here and an entry in bench/rows.ts that names it.
"""
import numpy as np
import torch
import torch.nn.functional as F

from models import IMAGE_SIZE, MODELS
from perturbation import kernel_shap, occlusion
from training import train_fashion_cnn


def forward_b1(state):
    x = state["x"]

    def run():
        with torch.inference_mode():
            state["model"](x)

    return run


def forward_b64(state):
    x = state["x"].repeat(64, 1, 1, 1)

    def run():
        with torch.inference_mode():
            state["model"](x)

    return run


def vanilla_gradient(state):
    x, target, model = state["x"], state["target"], state["model"]

    def run():
        xg = x.clone().requires_grad_(True)
        model(xg)[0, target].backward()
        return xg.grad

    return run


def grad_cam(state):
    """pytorch-grad-cam's pipeline for one layer: mean gradient weights, ReLU, bilinear upsample."""
    x, target, model = state["x"], state["target"], state["model"]
    layer = MODELS[state["name"]]["cam_layer"](model)
    captured = {}

    # Cut the graph at the layer: the backward pass then stops there, as it should for CAM.
    def hook(_m, _i, output):
        leaf = output.detach().requires_grad_(True)
        captured["act"] = leaf
        return leaf

    def run():
        handle = layer.register_forward_hook(hook)
        try:
            model(x)[0, target].backward()
        finally:
            handle.remove()
        a = captured["act"]
        w = a.grad.mean(dim=(2, 3), keepdim=True)
        cam = F.relu((w * a).sum(dim=1, keepdim=True))
        return F.interpolate(cam, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False).detach()

    return run


def integrated_gradients(state, steps=50):
    """Zero baseline, Gauss-Legendre rule on [0, 1] (Captum's default), all steps in one batch."""
    x, target, model = state["x"], state["target"], state["model"]
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32).view(-1, 1, 1, 1)
    w = torch.tensor(weights / 2, dtype=torch.float32).view(-1, 1, 1, 1)
    baseline = torch.zeros_like(x)

    def run():
        path = (baseline + alphas * (x - baseline)).requires_grad_(True)
        model(path)[:, target].sum().backward()
        return (x - baseline) * (path.grad * w).sum(dim=0, keepdim=True)

    return run


def rise(state, count=2000, grid=7, p=0.5, batch=64):
    """RISE (Petsiuk et al. 2018): random 7x7 grids kept with p, bilinearly upsampled with a random
    shift; saliency = sum_i P(target | x * M_i) M_i / (N p). Grids and shifts are drawn once (the
    reused-masks setting); upsampling, masking and the forward passes are timed."""
    x, target, model = state["x"], state["target"], state["model"]
    g = torch.Generator().manual_seed(state["seed"] + 3)
    cell = -(-IMAGE_SIZE // grid)
    up = (grid + 1) * cell
    grids = (torch.rand(count, 1, grid, grid, generator=g) < p).float()
    shifts = torch.randint(0, cell, (count, 2), generator=g)

    def run(limit=count):
        sal = torch.zeros(IMAGE_SIZE * IMAGE_SIZE)
        with torch.inference_mode():
            for start in range(0, limit, batch):
                end = min(count, start + batch)
                big = F.interpolate(grids[start:end], size=(up, up), mode="bilinear", align_corners=False)
                masks = torch.stack([
                    big[i, :, int(shifts[k, 0]):int(shifts[k, 0]) + IMAGE_SIZE, int(shifts[k, 1]):int(shifts[k, 1]) + IMAGE_SIZE]
                    for i, k in enumerate(range(start, end))
                ])
                probs = F.softmax(model(x * masks), dim=1)[:, target]
                sal += probs @ masks.view(end - start, -1)
        return sal / (count * p)

    run(batch)  # warm-up on one batch (the bench asks for no whole warm-up run)
    return run


ROWS = {
    "forward-b1": forward_b1,
    "forward-b64": forward_b64,
    "vanilla-gradient": vanilla_gradient,
    "grad-cam": grad_cam,
    "integrated-gradients": integrated_gradients,
    "rise": rise,
    "occlusion": occlusion,
    "kernel-shap": kernel_shap,
    "train-fashion-cnn": train_fashion_cnn,
}
