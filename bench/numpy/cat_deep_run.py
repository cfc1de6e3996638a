"""The course's week-4 L-layer run in numpy, timed: [12288, 20, 7, 5, 1], seed 1, 2500 iterations, lr 0.0075.
Run: OPENBLAS_NUM_THREADS=1 python3 bench/numpy/cat_deep_run.py [float32|float64] [path to catvnoncat/]"""
import sys, time
import numpy as np

def load(path):
    import importlib.util, os
    if importlib.util.find_spec('h5py') is None:
        # Without h5py, bench/numpy/dump_cat.ts writes the preprocessed arrays as raw float64 (simdnet's reader).
        raw = os.path.join(path, 'train_x.f64')
        if not os.path.exists(raw):
            sys.exit(f'h5py is not installed and {raw} is missing: npx tsx bench/numpy/dump_cat.ts {path}')
        X = np.fromfile(raw, dtype='<f8').reshape(12288, 209)
        Y = np.fromfile(os.path.join(path, 'train_y.f64'), dtype='<f8').reshape(1, 209)
        return X, Y
    import h5py
    with h5py.File(path + '/train_catvnoncat.h5', 'r') as f:
        x, y = np.array(f['train_set_x'][:]), np.array(f['train_set_y'][:])
    return x.reshape(x.shape[0], -1).T / 255., y.reshape(1, -1)

def run(X, Y, dtype):
    X, Y = X.astype(dtype), Y.astype(dtype)
    dims = [12288, 20, 7, 5, 1]
    np.random.seed(1)
    p = {}
    for l in range(1, 5):
        p['W%d' % l] = (np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])).astype(dtype)
        p['b%d' % l] = np.zeros((dims[l], 1), dtype)
    t = time.perf_counter()
    m = X.shape[1]
    for i in range(2500):
        A, caches = X, []
        for l in range(1, 4):
            Z = p['W%d' % l] @ A + p['b%d' % l]; caches.append((A, Z)); A = np.maximum(0, Z)
        Z = p['W4'] @ A + p['b4']; caches.append((A, Z)); AL = 1 / (1 + np.exp(-Z))
        if i == 0: cost0 = float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))
        dZ = AL - Y
        for l in range(4, 0, -1):
            Aprev, Z = caches[l - 1]
            dW = dZ @ Aprev.T / m; db = dZ.sum(axis=1, keepdims=True) / m
            if l > 1:
                dA = p['W%d' % l].T @ dZ; dZ = dA * (caches[l - 2][1] > 0)
            p['W%d' % l] -= 0.0075 * dW; p['b%d' % l] -= 0.0075 * db
    return time.perf_counter() - t, cost0

if __name__ == '__main__':
    dtype = sys.argv[1] if len(sys.argv) > 1 else 'float32'
    X, Y = load(sys.argv[2] if len(sys.argv) > 2 else '../shared/data/catvnoncat')
    seconds, cost0 = run(X, Y, dtype)
    print(f'numpy {np.__version__} {dtype}: 2500 iterations in {seconds:.2f} s (cost0 {cost0:.6f})')
