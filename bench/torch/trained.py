"""A trained ResNet-18 for the SAG bench row: torchvision's resnet18(weights=None, num_classes=4),
trained here (nothing is downloaded) on synthetic 224×224 images of one shape — disc, square,
triangle or plus — of random colour, size (40–100 px), position and tilt (±15°), on a cluttered
background that says nothing about the class: a smooth random colour field with pixel noise, a
soft blob and (70% of images) a thin line of random colours. The class is decided by the object's
outline only, so the evidence is local to the object, as in the photos SAG was designed for.

It is a plain classifier: nothing in its training knows about SAG. (`CONFIG["masked"]` can
train on images masked as SAG masks them — 7×7 grid, bilinear upsampling, black — cells away from
the object hidden at random with the label kept, or the object hidden with a uniform target.
That makes roots under a black baseline small too; it is off, because a bench of SAG on a model
trained for SAG's own perturbations would flatter it. With SAG's default blur baseline the plain
model's roots are 1–7 patches on and around the object.)

    /usr/bin/python3 bench/torch/trained.py --cache bench/.cache

writes, once (later runs reuse them while CONFIG below is unchanged):
    CACHE/resnet18_shapes.onnx           input NCHW float32 in [0, 1] (no normalisation), logits,
                                         dynamic batch axis, opset 13
    CACHE/resnet18_shapes.example{i}.npy held-out images, one per class, classified correctly,
                                         NCHW [1, 3, 224, 224] float32
    CACHE/resnet18_shapes.json           class names, held-out accuracy, the examples' labels,
                                         training seconds and steps (written last: its presence
                                         marks a complete run; file names relative to CACHE)
and prints that JSON on stdout (file names absolute). Each file is written to a temporary name and
renamed, so an interrupted run is redone. `--preview PNG` draws 16 training images.

Training uses 2 threads, AdamW, batch 32, images generated on the fly: 700 steps on 96-px images
(≈ 0.55 s a step, 6× cheaper than 224 px) with a curriculum from plain to cluttered backgrounds,
then 60 steps at 224 px (≈ 3.3 s a step) and a batch-norm recalibration at 224 px, the size the
model is evaluated and explained at. Measured on the idle 2-core bench machine: ≈ 610 s of
training, ≈ 11 minutes in all (17 under load); held-out accuracy 96–97% on 400 images at 224 px.

    from trained import prepare; info = prepare("bench/.cache")   # the same, from Python
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import export_onnx  # noqa: E402

NAME = "resnet18_shapes"
CLASSES = ["disc", "square", "triangle", "plus"]
SIZE = 224

# Everything that changes the produced files; a cached run with other settings is redone.
CONFIG = {
    "version": 3,
    "classes": CLASSES,
    "size": SIZE,
    "object_px": [40, 100],
    "rotation_deg": 15,
    "seed": 0,
    "batch": 32,
    # [resolution, steps, peak learning rate, warm-up steps]; each phase: linear warm-up, then
    # cosine decay to 0. Images at 96 px are 224-px images scaled down (objects 17–43 px).
    "phases": [[96, 700, 1e-3, 60], [224, 60, 3e-4, 5]],
    # Curriculum: plain backgrounds until step 200, clutter rising to full strength at step 450
    # (from scratch, the network finds the shapes on cluttered backgrounds far more slowly).
    "clutter_ramp": [200, 450],
    # Shares of training images masked as SAG masks them, object kept whole / object hidden
    # (scaled by the clutter level), see sag_masks.
    "masked": [0.0, 0.0],
    "weight_decay": 5e-4,
    "bn_recalibration_batches": 8,
    "test_images": 400,
    "test_seed": 12345,
    "examples": 4,
}


# ---------------------------------------------------------------------------------------------
# Synthetic images
# ---------------------------------------------------------------------------------------------


def _uniform(g, n, lo, hi):
    return torch.rand(n, generator=g) * (hi - lo) + lo


def _colours(g, n):
    return torch.rand(n, 3, generator=g)


def shape_masks(labels, cx, cy, size, angle, res):
    """[B, res, res] masks in [0, 1] (antialiased by one pixel) of each image's shape.

    cx, cy, size in pixels of a `res`-pixel image; `size` is the shape's outer extent.
    """
    b = labels.shape[0]
    coords = torch.arange(res, dtype=torch.float32) + 0.5
    yy = coords.view(1, res, 1).expand(b, res, res)
    xx = coords.view(1, 1, res).expand(b, res, res)
    dx = xx - cx.view(b, 1, 1)
    dy = yy - cy.view(b, 1, 1)
    c, s = torch.cos(angle).view(b, 1, 1), torch.sin(angle).view(b, 1, 1)
    u = c * dx + s * dy
    v = -s * dx + c * dy
    half = (size / 2).view(b, 1, 1)
    # Signed distances (positive outside), scaled so the four shapes have similar areas.
    disc = torch.sqrt(u * u + v * v) - half * 0.9
    square = torch.maximum(u.abs(), v.abs()) - half * 0.8
    # Equilateral triangle with circumradius `half` (inradius half/2), pointing up in (u, v).
    tri = None
    for k in range(3):
        a = math.pi / 2 + k * 2 * math.pi / 3
        d = u * math.cos(a) + v * math.sin(a) - half * 0.5
        tri = d if tri is None else torch.maximum(tri, d)
    arm = half * 0.2
    bar_h = torch.maximum(u.abs() - half, v.abs() - arm)
    bar_v = torch.maximum(v.abs() - half, u.abs() - arm)
    plus = torch.minimum(bar_h, bar_v)
    sdf = torch.stack([disc, square, tri, plus], 1)  # [B, 4, res, res]
    sdf = sdf.gather(1, labels.view(b, 1, 1, 1).expand(b, 1, res, res))[:, 0]
    return (0.5 - sdf).clamp(0, 1)


def make_batch(g, n, res=SIZE, labels=None, clutter=1.0, show=0.0, hide=0.0):
    """n images [n, 3, res, res] in [0, 1] (224-px images scaled to `res`), their labels, and
    which images had their object masked out (`hidden`, trained towards a uniform output).

    clutter in [0, 1] scales the background's variation, the distractors and the noise (a
    curriculum: 0 is a plain background of one colour; the test images and examples use 1).
    show, hide: shares of images masked as SAG masks them (see sag_masks) with the object kept
    whole, or hidden.
    """
    k = res / SIZE
    if labels is None:
        labels = torch.randint(0, len(CLASSES), (n,), generator=g)
    # Background: a smooth random colour field (bilinear from a 3×3 to 5×5 grid) plus noise.
    cells = int(torch.randint(3, 6, (1,), generator=g))
    field = torch.rand(n, 3, cells, cells, generator=g)
    img = F.interpolate(field, size=(res, res), mode="bilinear", align_corners=True)
    mean = img.mean((2, 3), keepdim=True)
    img = mean + (img - mean) * clutter
    coords = torch.arange(res, dtype=torch.float32) + 0.5
    yy = coords.view(1, res, 1)
    xx = coords.view(1, 1, res)
    # Distractor 1: a soft Gaussian blob, σ 8–24 px, random colour, anywhere.
    bx, by = _uniform(g, n, 0, res), _uniform(g, n, 0, res)
    sigma = _uniform(g, n, 8, 24) * k
    blob = torch.exp(-((xx - bx.view(n, 1, 1)) ** 2 + (yy - by.view(n, 1, 1)) ** 2) / (2 * sigma.view(n, 1, 1) ** 2))
    alpha = (blob * _uniform(g, n, 0.4, 0.9).view(n, 1, 1)).unsqueeze(1) * clutter
    img = img * (1 - alpha) + _colours(g, n).view(n, 3, 1, 1) * alpha
    # Distractor 2: a thin straight line (1.5–4 px) of random colour and direction.
    lx, ly = _uniform(g, n, 0, res), _uniform(g, n, 0, res)
    la = _uniform(g, n, 0, math.pi)
    width = _uniform(g, n, 1.5, 4) * k
    dist = ((xx - lx.view(n, 1, 1)) * torch.sin(la).view(n, 1, 1) - (yy - ly.view(n, 1, 1)) * torch.cos(la).view(n, 1, 1)).abs()
    line = (width.view(n, 1, 1) / 2 + 0.5 - dist).clamp(0, 1) * (torch.rand(n, generator=g) < 0.7).float().view(n, 1, 1)
    alpha = line.unsqueeze(1) * clutter
    img = img * (1 - alpha) + _colours(g, n).view(n, 3, 1, 1) * alpha
    # The object: 40–100 px, fully inside the image, turned by up to ±15°.
    lo, hi = CONFIG["object_px"]
    size = _uniform(g, n, lo, hi) * k
    margin = size / 2 + 2 * k
    cx = margin + torch.rand(n, generator=g) * (res - 2 * margin)
    cy = margin + torch.rand(n, generator=g) * (res - 2 * margin)
    turn = math.radians(CONFIG["rotation_deg"])
    angle = _uniform(g, n, -turn, turn)
    mask = shape_masks(labels, cx, cy, size, angle, res).unsqueeze(1)
    # Object colour: random, resampled until it differs from the background under its centre.
    ix = cx.long().clamp(0, res - 1)
    iy = cy.long().clamp(0, res - 1)
    under = img[torch.arange(n), :, iy, ix]  # [n, 3]
    colour = _colours(g, n)
    for _ in range(10):
        close = (colour - under).abs().sum(1) < 0.6
        if not bool(close.any()):
            break
        colour[close] = _colours(g, int(close.sum()))
    img = img * (1 - mask) + colour.view(n, 3, 1, 1) * mask
    # Pixel noise over everything.
    img = img + torch.randn(n, 3, res, res, generator=g) * _uniform(g, n, 0.02, 0.08).view(n, 1, 1, 1) * clutter
    img = img.clamp(0, 1)
    hidden = torch.zeros(n, dtype=torch.bool)
    if show > 0 or hide > 0:
        u = torch.rand(n, generator=g)
        shown, hidden = u < show, (u >= show) & (u < show + hide)
        # The shapes reach at most ~1.02 × size/2 from their centre (the plus, turned 15°).
        m = sag_masks(g, cx, cy, size * 0.52 + 2 * k, res, shown, hidden)
        img = img * m
    return img, labels, hidden


def sag_masks(g, cx, cy, reach, res, shown, hidden, cells=7):
    """[n, 1, res, res] masks like SAG's default (a 7×7 grid, align-corners bilinear upsampling,
    black baseline): each grid cell revealed with a per-image probability of 0.1–0.9, except
    that the cells around the object are all revealed (`shown`: the object stays whole) or all
    hidden (`hidden`: no part of the object shows). Images in neither get no mask.

    This is cutout-style augmentation: without it, the network, which knows nothing but shapes,
    takes the blobs a black mask leaves for shapes (a black image was a confident "disc").
    """
    n = cx.shape[0]
    grid = (torch.rand(n, cells, cells, generator=g) < torch.rand(n, 1, 1, generator=g) * 0.8 + 0.1).float()
    step = (res - 1) / (cells - 1)  # pixel index y reads grid nodes ⌊y/step⌋ and ⌈y/step⌉
    x0 = ((cx - 0.5 - reach) / step).floor().clamp(0, cells - 1).long()
    x1 = ((cx - 0.5 + reach) / step).ceil().clamp(0, cells - 1).long()
    y0 = ((cy - 0.5 - reach) / step).floor().clamp(0, cells - 1).long()
    y1 = ((cy - 0.5 + reach) / step).ceil().clamp(0, cells - 1).long()
    for i in range(n):
        if shown[i] or hidden[i]:
            grid[i, y0[i] : y1[i] + 1, x0[i] : x1[i] + 1] = 1.0 if shown[i] else 0.0
        else:
            grid[i] = 1.0
    return F.interpolate(grid.unsqueeze(1), size=(res, res), mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def build():
    torch.manual_seed(CONFIG["seed"])
    return torchvision.models.resnet18(weights=None, num_classes=len(CLASSES))


def evaluate(model, images, labels, batch=50):
    model.eval()
    preds, probs = [], []
    with torch.no_grad():
        for i in range(0, images.shape[0], batch):
            x = images[i : i + batch].contiguous(memory_format=torch.channels_last)
            p = F.softmax(model(x), 1)
            preds.append(p.argmax(1))
            probs.append(p)
    pred = torch.cat(preds)
    return float((pred == labels).float().mean()), pred, torch.cat(probs)


def train(model):
    """Returns (steps, seconds, log of [step, res, clutter, loss, batch accuracy])."""
    g = torch.Generator().manual_seed(CONFIG["seed"] + 1)
    model.train()
    model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=0.0, weight_decay=CONFIG["weight_decay"])
    total = sum(p[1] for p in CONFIG["phases"])
    ramp0, ramp1 = CONFIG["clutter_ramp"]
    started = time.perf_counter()
    step, history, run_loss, run_acc = 0, [], 0.0, 0.0
    for res, steps, peak, warmup in CONFIG["phases"]:
        for i in range(steps):
            lr = peak * min(1.0, (i + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * i / steps))
            for group in opt.param_groups:
                group["lr"] = lr
            clutter = min(1.0, max(0.0, (step - ramp0) / (ramp1 - ramp0)))
            show, hide = CONFIG["masked"]
            x, y, hidden = make_batch(g, CONFIG["batch"], res, clutter=clutter, show=show * clutter, hide=hide * clutter)
            x = x.contiguous(memory_format=torch.channels_last)
            out = model(x)
            logp = F.log_softmax(out, 1)
            # Images whose object is masked out are trained towards the uniform output.
            per_image = torch.where(hidden, -logp.mean(1), F.nll_loss(logp, y, reduction="none"))
            loss = per_image.mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            acc = float((out.argmax(1) == y)[~hidden].float().mean()) if bool((~hidden).any()) else 1.0
            run_loss = 0.9 * run_loss + 0.1 * float(loss) if step > 1 else float(loss)
            run_acc = 0.9 * run_acc + 0.1 * acc if step > 1 else acc
            if step % 20 == 0 or step == total:
                history.append([step, res, round(clutter, 3), round(run_loss, 4), round(run_acc, 4)])
                log(
                    f"  step {step}/{total}, {res} px, clutter {clutter:.2f}, lr {lr:.1e}: loss {run_loss:.3f}, "
                    f"batch accuracy {run_acc:.3f}, {time.perf_counter() - started:.0f} s"
                )
    # Batch-norm statistics at the evaluation size: a cumulative average over fresh 224-px batches.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(CONFIG["bn_recalibration_batches"]):
            x = make_batch(g, CONFIG["batch"], SIZE, show=CONFIG["masked"][0], hide=CONFIG["masked"][1])[0]
            model(x.contiguous(memory_format=torch.channels_last))
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.1
    model.eval()
    return step, time.perf_counter() - started, history


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def paths(cache):
    return {
        "onnx": os.path.join(cache, f"{NAME}.onnx"),
        "json": os.path.join(cache, f"{NAME}.json"),
        "example": lambda i: os.path.join(cache, f"{NAME}.example{i}.npy"),
    }


def _save_npy(path, arr):
    tmp = path + ".tmp.npy"
    np.save(tmp, np.ascontiguousarray(arr, dtype=np.float32))
    os.replace(tmp, path)


def _export(model, path):
    model = model.to(memory_format=torch.contiguous_format).eval()
    export_onnx(model, path, example=torch.rand(1, 3, SIZE, SIZE), overwrite=True)


def cached(cache):
    """The stored JSON when a complete run with the current settings exists, else None."""
    p = paths(cache)
    try:
        with open(p["json"]) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return None
    if info.get("config") != CONFIG:
        return None
    info = resolve(cache, info)
    files = [info["onnx"]] + [e["file"] for e in info.get("examples", [])]
    if not all(os.path.exists(f) for f in files):
        return None
    return info


def resolve(cache, info):
    """The JSON with its file names (relative to the cache, so the cache can move) made absolute."""
    out = dict(info)
    out["onnx"] = os.path.join(cache, info.get("onnx", ""))
    out["examples"] = [{**e, "file": os.path.join(cache, e.get("file", ""))} for e in info.get("examples", [])]
    return out


def prepare(cache, threads=2, force=False):
    """Trains and writes the model, examples and JSON once; returns the JSON as a dict."""
    cache = os.path.abspath(cache)
    if not force:
        info = cached(cache)
        if info is not None:
            return info
    os.makedirs(cache, exist_ok=True)
    torch.set_num_threads(threads)
    p = paths(cache)
    started = time.perf_counter()
    if os.path.exists(p["json"]):
        os.remove(p["json"])  # the old JSON must not vouch for the files about to be replaced
    log(f"training {NAME} ({len(CLASSES)} synthetic shape classes) with {threads} threads, about 10 minutes")
    model = build()
    steps, seconds, history = train(model)
    log(f"trained {steps} steps in {seconds:.0f} s")

    g = torch.Generator().manual_seed(CONFIG["test_seed"])
    n = CONFIG["test_images"]
    labels = torch.arange(n) % len(CLASSES)  # balanced
    images, labels, _ = make_batch(g, n, SIZE, labels)
    t0 = time.perf_counter()
    accuracy, pred, probs = evaluate(model, images, labels)
    per_class = {c: float((pred[labels == i] == i).float().mean()) for i, c in enumerate(CLASSES)}
    log(f"held-out accuracy at {SIZE} px: {accuracy:.4f} on {n} images ({time.perf_counter() - t0:.1f} s); per class {per_class}")

    # The same held-out images masked as SAG masks them (sag_masks): background cells hidden with
    # the object whole should keep the class; the object hidden should leave no class standing out.
    g_mask = torch.Generator().manual_seed(CONFIG["test_seed"] + 1)
    m = 200
    shown_images, shown_labels, _ = make_batch(g_mask, m, SIZE, torch.arange(m) % len(CLASSES), show=1.0)
    masked_accuracy, _, _ = evaluate(model, shown_images, shown_labels)
    hidden_images, _, _ = make_batch(g_mask, m, SIZE, torch.arange(m) % len(CLASSES), hide=1.0)
    _, _, hidden_probs = evaluate(model, hidden_images, torch.zeros(m, dtype=torch.long))
    hidden_top = float(hidden_probs.max(1).values.mean())
    log(f"masked background, object whole: accuracy {masked_accuracy:.4f}; object hidden: mean top probability {hidden_top:.3f} ({m} images each)")

    # Examples: per class, the first held-out image classified correctly with probability ≥ 0.9
    # (else the most confident correct one), in class order.
    examples = []
    for c in range(len(CLASSES))[: CONFIG["examples"]]:
        hits = [i for i in range(n) if int(labels[i]) == c and int(pred[i]) == c]
        if not hits:
            continue
        sure = [i for i in hits if float(probs[i, c]) >= 0.9]
        i = sure[0] if sure else max(hits, key=lambda j: float(probs[j, c]))
        file = p["example"](len(examples))
        _save_npy(file, images[i : i + 1].numpy())
        examples.append(
            {
                "file": os.path.basename(file),
                "test_index": i,
                "label": c,
                "class": CLASSES[c],
                "predicted": int(pred[i]),
                "probability": round(float(probs[i, c]), 6),
            }
        )

    _export(model, p["onnx"])
    info = {
        "name": NAME,
        "onnx": os.path.basename(p["onnx"]),
        "classes": CLASSES,
        "input": "NCHW float32 in [0, 1], no normalisation",
        "size": SIZE,
        "test_images": n,
        "test_accuracy": accuracy,
        "test_accuracy_per_class": per_class,
        "masked_test_accuracy": masked_accuracy,
        "hidden_object_mean_top_probability": hidden_top,
        "examples": examples,
        "train_steps": steps,
        "train_seconds": round(seconds, 1),
        "train_threads": threads,
        "total_seconds": round(time.perf_counter() - started, 1),
        "train_history": history,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "config": CONFIG,
    }
    tmp = p["json"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(info, f, indent=1)
    os.replace(tmp, p["json"])
    return resolve(cache, info)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, help="directory for the ONNX file, examples and JSON")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="retrain even when a cached run exists")
    ap.add_argument("--preview", metavar="PNG", help="only write a grid of 16 training images to PNG and exit")
    args = ap.parse_args()
    if args.preview:
        x, y, _ = make_batch(torch.Generator().manual_seed(0), 16, SIZE, show=0.4, hide=0.1)
        grid = torchvision.utils.make_grid(x, nrow=4, padding=4)
        torchvision.utils.save_image(grid, args.preview)
        log("labels:", [CLASSES[int(i)] for i in y])
        return
    info = prepare(args.cache, args.threads, args.force)
    print(json.dumps({k: v for k, v in info.items() if k != "train_history"}))


if __name__ == "__main__":
    main()
