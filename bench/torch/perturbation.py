"""PyTorch side of the perturbation rows (issue 6): occlusion and KernelSHAP on the bench input.

Both run exactly the forward passes Glassbox runs (same perturbed images, same batches of 64, the
target's logit as the score) and return the same map. Each writes its map once to
bench/.cache/<model>.<row>.torch.npy so that the Glassbox row (bench/rows/perturbation.ts) can say
how far its own map is.
"""
import itertools
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from models import IMAGE_SIZE

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".cache")

OCCLUSION = {"patch": 16, "stride": 8, "baseline": 0.0, "batch": 64}
KERNEL_SHAP = {"cells": 49, "samples": 2000, "batch": 64, "seed": 0}


def save_once(state, row, arr):
    """The first result of a row, for the Glassbox side's agreement note."""
    key = f"saved:{row}"
    if state.get(key):
        return
    state[key] = True
    np.save(os.path.join(CACHE, f"{state['name']}.{row}.torch.npy"), np.ascontiguousarray(arr, dtype=np.float32))


def window_starts(length, window, stride):
    """Captum's shifts: 0, s, 2s, … until the window reaches the end (Glassbox's windowStarts)."""
    if window >= length:
        return [0]
    return [k * stride for k in range(math.ceil((length - window) / stride) + 1)]


def occlusion(state, patch=OCCLUSION["patch"], stride=OCCLUSION["stride"], baseline=OCCLUSION["baseline"], batch=OCCLUSION["batch"]):
    """Occlusion (Zeiler & Fergus; Captum's averaging): copy 0 is x, copy k hides window k − 1 with
    the baseline; map = mean over the windows covering a pixel of f(x) − f(x with the window hidden)."""
    x, target, model = state["x"], state["target"], state["model"]
    starts = window_starts(IMAGE_SIZE, patch, stride)
    windows = [(sy, sx) for sy in starts for sx in starts]
    total = len(windows) + 1

    def run():
        scores = torch.empty(total, dtype=torch.float64)
        with torch.inference_mode():
            for start in range(0, total, batch):
                end = min(total, start + batch)
                xb = x.repeat(end - start, 1, 1, 1)
                for i in range(max(start, 1), end):
                    sy, sx = windows[i - 1]
                    xb[i - start, :, sy:sy + patch, sx:sx + patch] = baseline
                scores[start:end] = model(xb)[:, target].double()
        drop = scores[0] - scores[1:]
        acc = torch.zeros(IMAGE_SIZE, IMAGE_SIZE, dtype=torch.float64)
        count = torch.zeros(IMAGE_SIZE, IMAGE_SIZE, dtype=torch.float64)
        for k, (sy, sx) in enumerate(windows):
            acc[sy:sy + patch, sx:sx + patch] += drop[k]
            count[sy:sy + patch, sx:sx + patch] += 1
        out = (acc / count.clamp(min=1)).float()
        save_once(state, "occlusion", out.numpy())
        return out

    return run


# ---------------------------------------------------------------- KernelSHAP
# Glassbox draws its coalitions with its own seeded generator (src/core/random.ts: FNV-1a +
# splitmix32 + sfc32, seeded per example by src/methods/example-rng.ts) and shap's procedure
# (src/methods/perturbation/kernel-shap.ts). The ports below reproduce them draw for draw, so both
# sides evaluate the same coalitions.

M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


def _splitmix32(state):
    s = state & M32

    def nxt():
        nonlocal s
        s = (s + 0x9E3779B9) & M32
        z = s
        z = _imul(z ^ (z >> 16), 0x85EBCA6B)
        z = _imul(z ^ (z >> 13), 0xC2B2AE35)
        return (z ^ (z >> 16)) & M32

    return nxt


class Sfc32:
    def __init__(self, seed_string):
        h = 0x811C9DC5
        for ch in seed_string:
            h ^= ord(ch)
            h = _imul(h, 0x01000193)
        sm = _splitmix32(h)
        self.a, self.b, self.c, self.d = sm(), sm(), sm(), sm() | 1
        for _ in range(12):
            self.uint32()

    def uint32(self):
        t = (self.a + self.b + self.d) & M32
        self.d = (self.d + 1) & M32
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c * 9) & M32
        self.c = ((self.c << 21) | (self.c >> 11)) & M32
        self.c = (self.c + t) & M32
        return t

    def next(self):
        return self.uint32() / 4294967296

    def int(self, n):
        limit = 4294967296 - (4294967296 % n)
        u = self.uint32()
        while u >= limit:
            u = self.uint32()
        return u % n

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.int(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def example_rng(seed, x_nhwc):
    """src/methods/example-rng.ts: seeded by the run seed and the example's float32 bits."""
    h = 0x811C9DC5
    for w in np.ascontiguousarray(x_nhwc, dtype=np.float32).view(np.uint32).ravel().tolist():
        h = _imul(h ^ w, 0x01000193)
        h ^= h >> 15
    return Sfc32(f"{seed}/{h}")


def _fsum(values):
    s = 0.0
    for v in values:
        s += v
    return s


def binomial(n, k):
    r = 1.0
    for i in range(1, k + 1):
        r = (r * (n - k + i)) / i
    return round(r) if r < 2**53 else r


def shapley_coalitions(m, samples, rng):
    """Port of shapleyCoalitions (shap's KernelExplainer choice of coalitions)."""
    rows, weights = [], []
    total = 2**m - 2 if m <= 30 else math.inf
    budget = min(samples, total)
    sizes = math.ceil((m - 1) / 2)
    paired = (m - 1) // 2
    kernel = [(m - 1) / ((i + 1) * (m - i - 1)) * (2 if i < paired else 1) for i in range(sizes)]
    ksum = _fsum(kernel)
    wv = [k / ksum for k in kernel]
    left, full, remaining = budget, 0, list(wv)
    for size in range(1, sizes + 1):
        nsub = binomial(m, size) * (2 if size <= paired else 1)
        if not ((left * remaining[size - 1]) / nsub >= 1 - 1e-8):
            break
        full += 1
        left -= nsub
        if remaining[size - 1] < 1:
            r = 1 - remaining[size - 1]
            remaining = [v / r for v in remaining]
        w = wv[size - 1] / binomial(m, size)
        if size <= paired:
            w /= 2
        for idx in itertools.combinations(range(m), size):
            mask = np.zeros(m, dtype=np.uint8)
            mask[list(idx)] = 1
            rows.append(mask)
            weights.append(w)
            if size <= paired:
                rows.append(1 - mask)
                weights.append(w)
    fixed = len(rows)
    if full != sizes and left > 0:
        rest = [v / 2 if i < paired else v for i, v in enumerate(wv)][full:]
        rest_sum = _fsum(rest)
        probs = [v / rest_sum for v in rest]
        seen = {}
        draws = 0
        while left > 0 and draws < 4 * budget:
            draws += 1
            u = rng.next()
            pick = 0
            while pick < len(probs) - 1 and u >= probs[pick]:
                u -= probs[pick]
                pick += 1
            size = pick + full + 1
            mask = np.zeros(m, dtype=np.uint8)
            perm = rng.permutation(m)
            mask[perm[:size]] = 1
            key = mask.tobytes()
            at = seen.get(key)
            if at is None:
                seen[key] = len(rows)
                rows.append(mask)
                weights.append(1.0)
                left -= 1
                if left > 0 and size <= paired:
                    rows.append(1 - mask)
                    weights.append(1.0)
                    left -= 1
            else:
                weights[at] += 1
                if size <= paired and at + 1 < len(rows):
                    weights[at + 1] += 1
        weight_left = _fsum(wv[full:])
        sampled = _fsum(weights[fixed:])
        for i in range(fixed, len(weights)):
            weights[i] *= weight_left / sampled
    return np.stack(rows), np.array(weights, dtype=np.float64)


def gaussian_blur(x, sigma):
    """Glassbox's separable blur (src/methods/blur.ts): radius ⌈3σ⌉, replicated borders, H then W."""
    r = max(1, math.ceil(3 * sigma))
    t = torch.arange(-r, r + 1, dtype=torch.float64)
    k = torch.exp(-(t * t) / (2 * sigma * sigma))
    k = (k / k.sum()).float()
    c = x.shape[1]
    y = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(F.pad(y, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)


def solve_shapley(masks, weights, values, fx, fnull):
    """shap's constrained weighted least squares: eliminate the last feature so Σφ = f(x) − f(bg)."""
    m = masks.shape[1]
    total = fx - fnull
    masks = masks.astype(np.float64)
    last = masks[:, -1]
    y = values - fnull - last * total
    X = masks[:, :-1] - last[:, None]
    Xw = X * weights[:, None]
    w = np.linalg.solve(Xw.T @ X, Xw.T @ y)
    return np.append(w, total - w.sum())


def kernel_shap(state, cells=KERNEL_SHAP["cells"], samples=KERNEL_SHAP["samples"], batch=KERNEL_SHAP["batch"], seed=KERNEL_SHAP["seed"]):
    """KernelSHAP over a 7×7 grid of 32-pixel cells, absent cells taken from the Gaussian-blurred
    input (σ = 22.4 px, Glassbox's default baseline). Copy 0 is x, copy 1 the blurred input, then one
    copy per coalition; φ from the constrained weighted least squares. The coalitions (Glassbox's,
    see above) are drawn before timing, like RISE's grids; blur, masking, forward passes and the
    solve are timed."""
    x, target, model = state["x"], state["target"], state["model"]
    side = round(math.sqrt(cells))
    ys = torch.arange(IMAGE_SIZE)
    labels = ((ys * side) // IMAGE_SIZE).view(-1, 1) * side + ((ys * side) // IMAGE_SIZE).view(1, -1)
    masks, weights = shapley_coalitions(side * side, samples, example_rng(seed, x.permute(0, 2, 3, 1).numpy()))
    present = torch.from_numpy(masks).float()[:, labels]  # coalitions × H × W
    total = 2 + len(masks)

    def run():
        bg = gaussian_blur(x, IMAGE_SIZE / 10)
        diff = x - bg
        scores = torch.empty(total, dtype=torch.float64)
        with torch.inference_mode():
            for start in range(0, total, batch):
                end = min(total, start + batch)
                parts = []
                if start == 0:
                    parts = [x, bg]
                lo, hi = max(start, 2) - 2, end - 2
                if hi > lo:
                    parts.append(bg + diff * present[lo:hi, None])
                scores[start:end] = model(torch.cat(parts))[:, target].double()
        s = scores.numpy()
        phi = solve_shapley(masks, weights, s[2:], s[0], s[1])
        out = torch.from_numpy(phi).float()[labels]
        save_once(state, "kernel-shap", out.numpy())
        return out

    return run
