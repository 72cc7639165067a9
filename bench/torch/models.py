"""The benchmarked networks: torchvision architectures with fixed random weights.

Every weight comes from torch.manual_seed, and batch-norm statistics are randomised too (not left at
mean 0 / variance 1), so the exported graph's folded batch norms do real work and gradient
comparisons exercise them.
"""
import os

import numpy as np
import torch
import torchvision

IMAGE_SIZE = 224

# Module path of the Grad-CAM layer, and the prefix its nodes get in torch.onnx's node names.
MODELS = {
    "resnet18": {
        "build": lambda: torchvision.models.resnet18(weights=None),
        "cam_layer": lambda m: m.layer4,
        "cam_prefix": "/layer4/",
    },
    "mobilenet_v2": {
        "build": lambda: torchvision.models.mobilenet_v2(weights=None),
        "cam_layer": lambda m: m.features[-1],
        "cam_prefix": "/features/features.18/",
    },
}


def build(name, seed):
    torch.manual_seed(seed)
    model = MODELS[name]["build"]()
    g = torch.Generator().manual_seed(seed + 1)
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            c = mod.num_features
            mod.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
            mod.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
            mod.weight.data.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
            mod.bias.data.copy_(torch.randn(c, generator=g) * 0.1)
    model.eval()
    # Explanations need input/activation gradients only: no parameter gradients, as a careful
    # PyTorch user would write it (and the fastest PyTorch can be).
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def example_input(seed, batch=1):
    """A seeded image in [0, 1], ImageNet-normalised, NCHW."""
    g = torch.Generator().manual_seed(seed + 2)
    x = torch.rand(batch, 3, IMAGE_SIZE, IMAGE_SIZE, generator=g)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (x - mean) / std


def export_onnx(model, path, example=None, overwrite=False):
    """torch.onnx.export at opset 13 with a dynamic batch axis (written to a temporary name, then
    renamed). `example`: the tracing input, default the bench's normalised image."""
    if os.path.exists(path) and not overwrite:
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    torch.onnx.export(
        model,
        example_input(0) if example is None else example,
        tmp,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
        opset_version=13,
        do_constant_folding=True,
    )
    os.replace(tmp, path)


def reference_gradients(model, name, x):
    """Top logit, its input gradient, and the Grad-CAM layer's activation and gradient."""
    captured = {}
    layer = MODELS[name]["cam_layer"](model)

    def hook(_module, _inputs, output):
        output.retain_grad()
        captured["act"] = output

    handle = layer.register_forward_hook(hook)
    try:
        xg = x.clone().requires_grad_(True)
        out = model(xg)
        top = int(out[0].argmax())
        out[0, top].backward()
    finally:
        handle.remove()
    return {
        "top": top,
        "logit": float(out[0, top]),
        "input_grad": xg.grad.detach().numpy().astype(np.float32),
        "layer_act": captured["act"].detach().numpy().astype(np.float32),
        "layer_grad": captured["act"].grad.detach().numpy().astype(np.float32),
    }
