"""Independent computation of ROAD's linear imputation (tleemann/road_evaluation NoisyLinearImputer, noise 0).

Each removed pixel equals the weighted mean of its in-image neighbours (1/6 direct, 1/12 diagonal);
removed neighbours are unknowns. The sparse system is assembled as in the reference
(A[i,i] = -sum of valid weights, A[i,j] = w for removed neighbours, b -= w * known value) and solved
with scipy.sparse.linalg.spsolve (dense numpy.linalg.solve when scipy is missing).

Usage: python3 road_imputation.py image.npy removed.npy out.npy
image: [H, W, C] float32; removed: [H, W] (1 = removed)
"""
import sys

import numpy as np

NEIGHBOURS = [((1, 1), 1 / 12), ((0, 1), 1 / 6), ((-1, 1), 1 / 12), ((1, -1), 1 / 12),
              ((0, -1), 1 / 6), ((-1, -1), 1 / 12), ((1, 0), 1 / 6), ((-1, 0), 1 / 6)]


def main():
    img = np.load(sys.argv[1]).astype(np.float64)
    removed = np.load(sys.argv[2]).astype(bool)
    h, w, c = img.shape
    unknown = [(y, x) for y in range(h) for x in range(w) if removed[y, x]]
    index = {p: i for i, p in enumerate(unknown)}
    m = len(unknown)
    A = np.zeros((m, m))
    b = np.zeros((m, c))
    for i, (y, x) in enumerate(unknown):
        total = 0.0
        for (dy, dx), wt in NEIGHBOURS:
            yy, xx = y + dy, x + dx
            if yy < 0 or xx < 0 or yy >= h or xx >= w:
                continue
            total += wt
            if removed[yy, xx]:
                A[i, index[(yy, xx)]] = wt
            else:
                b[i] -= wt * img[yy, xx]
        A[i, i] = -total
    try:
        from scipy.sparse import csc_matrix
        from scipy.sparse.linalg import spsolve
        sol = spsolve(csc_matrix(A), b).reshape(m, c)
    except ImportError:
        sol = np.linalg.solve(A, b)
    out = img.copy()
    for i, (y, x) in enumerate(unknown):
        out[y, x] = sol[i]
    np.save(sys.argv[3], out.astype(np.float32))


if __name__ == "__main__":
    main()
