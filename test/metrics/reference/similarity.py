"""Reference values for the map statistics, from libraries rather than from our formulas.

SSIM: skimage.metrics.structural_similarity (defaults: 7-wide uniform window, sample covariance,
data_range given). Spearman: scipy.stats.spearmanr. Entropy: scipy.stats.entropy.
Gini: the Quantus Sparseness formula on sorted |a|.

Usage: python3 similarity.py a1.npy b1.npy [a2.npy b2.npy ...]  ->  JSON list on stdout
(data_range 1; ssim is null without skimage)
"""
import json
import sys

import numpy as np


def compare(a_file, b_file):
    a = np.load(a_file).astype(np.float64)
    b = np.load(b_file).astype(np.float64)
    data_range = 1.0
    out = {}
    try:
        from skimage.metrics import structural_similarity
        out["ssim"] = float(structural_similarity(a, b, win_size=7, data_range=data_range))
    except ImportError:
        out["ssim"] = None
    from scipy.stats import entropy, spearmanr
    out["spearman"] = float(spearmanr(a.reshape(-1), b.reshape(-1)).correlation)
    flat = np.abs(a.reshape(-1))
    out["entropy"] = float(entropy(flat / flat.sum()))
    s = np.sort(flat)
    n = s.shape[0]
    out["gini"] = float(np.sum((2 * np.arange(1, n + 1) - n - 1) * s) / (n * np.sum(s)))
    return out


def main():
    files = sys.argv[1:]
    json.dump([compare(files[i], files[i + 1]) for i in range(0, len(files), 2)], sys.stdout)


if __name__ == "__main__":
    main()
