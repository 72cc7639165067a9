"""Independent NumPy computation of RISE's deletion/insertion protocol (eclique/RISE evaluation.py).

Written from the reference, not from Glassbox's TypeScript: channels-first like the original
(`start.reshape(C, HW)[:, coords] = finish.reshape(C, HW)[:, coords]`), `gkern` from
scipy.ndimage.gaussian_filter of a delta, the blur as a zero-padded correlation
(torch conv2d with padding klen//2), and the order np.flip(np.argsort(map)) with a stable sort.

The model is a fixed linear softmax classifier, logits = flatten(x_HWC) @ W + b.

Usage: python3 causal_metric.py spec1.json [spec2.json ...]  ->  JSON list on stdout
spec: {"image": [H,W,C] .npy, "map": [H,W] .npy, "W": [H*W*C,K] .npy, "b": [K] .npy,
       "target": int, "mode": "del"|"ins", "step": int, "klen": int, "sigma": float,
       "substrate": "zero"|"blur"|number}
"""
import json
import sys

import numpy as np

try:
    from scipy.ndimage import correlate, gaussian_filter
except ImportError:  # numpy-only fallback, same definitions
    gaussian_filter = None
    correlate = None


def gkern(klen, nsig):
    inp = np.zeros((klen, klen))
    inp[klen // 2, klen // 2] = 1
    if gaussian_filter is not None:
        return gaussian_filter(inp, nsig)
    # scipy's gaussian_filter: separable, truncate=4, mode "reflect" (d c b a | a b c d).
    radius = int(4.0 * nsig + 0.5)
    x = np.arange(-radius, radius + 1)
    w = np.exp(-0.5 * x * x / (nsig * nsig))
    w /= w.sum()
    g = np.zeros(klen)
    for i in range(klen):
        for k in range(-radius, radius + 1):
            j = (i + k) % (2 * klen)
            if j >= klen:
                j = 2 * klen - 1 - j
            if j == klen // 2:
                g[i] += w[k + radius]
    return np.outer(g, g)


def blur_chw(img, kern):
    c, h, w = img.shape
    half = kern.shape[0] // 2
    out = np.zeros_like(img, dtype=np.float64)
    for ch in range(c):
        if correlate is not None:
            out[ch] = correlate(img[ch].astype(np.float64), kern, mode="constant", cval=0.0)
        else:
            padded = np.pad(img[ch].astype(np.float64), half)
            for dy in range(kern.shape[0]):
                for dx in range(kern.shape[1]):
                    out[ch] += kern[dy, dx] * padded[dy:dy + h, dx:dx + w]
    return out.astype(np.float32)


def auc(arr):
    return (arr.sum() - arr[0] / 2 - arr[-1] / 2) / (arr.shape[0] - 1)


def run(spec_file):
    spec = json.load(open(spec_file))
    img_hwc = np.load(spec["image"]).astype(np.float32)
    sal = np.load(spec["map"]).astype(np.float32)
    W = np.load(spec["W"]).astype(np.float64)
    b = np.load(spec["b"]).astype(np.float64)
    h, w, c = img_hwc.shape
    hw = h * w
    target = spec["target"]

    def prob(chw):
        flat = np.transpose(chw, (1, 2, 0)).reshape(-1).astype(np.float64)
        logits = flat @ W + b
        e = np.exp(logits - logits.max())
        return (e / e.sum())[target]

    img = np.ascontiguousarray(np.transpose(img_hwc, (2, 0, 1)))
    sub = spec["substrate"]
    if sub == "zero":
        substrate = np.zeros_like(img)
    elif sub == "blur":
        substrate = blur_chw(img, gkern(spec["klen"], spec["sigma"]))
    else:
        substrate = np.full_like(img, float(sub))
    step = spec["step"]
    n_steps = (hw + step - 1) // step
    if spec["mode"] == "del":
        start, finish = img.copy(), substrate
    else:
        start, finish = substrate.copy(), img.copy()
    scores = np.empty(n_steps + 1)
    salient_order = np.flip(np.argsort(sal.reshape(-1), kind="stable"))
    for i in range(n_steps + 1):
        scores[i] = prob(start)
        if i < n_steps:
            coords = salient_order[step * i:step * (i + 1)]
            start.reshape(c, hw)[:, coords] = finish.reshape(c, hw)[:, coords]
    return {"scores": scores.tolist(), "auc": float(auc(scores)), "gkern": gkern(spec["klen"], spec["sigma"]).tolist(),
            "scipy": gaussian_filter is not None}


def main():
    json.dump([run(f) for f in sys.argv[1:]], sys.stdout)


if __name__ == "__main__":
    main()
