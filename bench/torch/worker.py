"""Long-lived PyTorch side of `npm run bench`: reads one JSON command per line on stdin, answers one
JSON line on stdout (logs go to stderr), so the TypeScript runner can interleave PyTorch and
Glassbox timings row by row under the same machine load.

Commands:
  {"cmd": "hello", "threads": 2}                        -> versions and thread count
  {"cmd": "prepare", "model": M, "cache": DIR, "seed": S}
      -> exports DIR/M.onnx (once) and writes M.input.npy, M.input_grad.npy, M.layer_act.npy,
         M.layer_grad.npy (all NCHW, float32) and returns their paths, the target and layer prefix
  {"cmd": "time", "model": M, "row": R, "warmup": w, "repeats": n, "budget": s, "min": k}
      -> {"ms": [...], "cpu": share}: n timed runs, or fewer (at least k) once s seconds were spent
"""
import json
import os
import platform
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

from models import MODELS, build, example_input, export_onnx, reference_gradients  # noqa: E402
from rows import ROWS  # noqa: E402

states = {}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def hello(cmd):
    torch.set_num_threads(int(cmd.get("threads", 2)))
    torch.set_num_interop_threads(1)
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "numpy": np.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }


def prepare(cmd):
    name, cache, seed = cmd["model"], cmd["cache"], int(cmd.get("seed", 0))
    model = build(name, seed)
    x = example_input(seed)
    onnx_path = os.path.join(cache, f"{name}.onnx")
    export_onnx(model, onnx_path)
    ref = reference_gradients(model, name, x)
    files = {}
    for key, arr in [("input", x.numpy()), ("input_grad", ref["input_grad"]), ("layer_act", ref["layer_act"]), ("layer_grad", ref["layer_grad"])]:
        path = os.path.join(cache, f"{name}.{key}.npy")
        np.save(path, np.ascontiguousarray(arr, dtype=np.float32))
        files[key] = path
    states[name] = {"name": name, "model": model, "x": x, "target": ref["top"], "seed": seed}
    return {"onnx": onnx_path, "files": files, "target": ref["top"], "logit": ref["logit"], "layer_prefix": MODELS[name]["cam_prefix"]}


def time_row(cmd):
    state = states[cmd["model"]]
    row = ROWS.get(cmd["row"])
    if row is None:
        return {"missing": True}
    run = row(state)
    for _ in range(int(cmd.get("warmup", 1))):
        run()
    repeats, budget, least = int(cmd.get("repeats", 5)), float(cmd.get("budget", 1e9)), int(cmd.get("min", 3))
    ms = []
    cpu0 = time.process_time()
    while len(ms) < repeats and (len(ms) < least or sum(ms) < budget * 1000):
        t0 = time.perf_counter()
        run()
        ms.append((time.perf_counter() - t0) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / (sum(ms) * torch.get_num_threads())
    return {"ms": ms, "cpu": cpu}


HANDLERS = {"hello": hello, "prepare": prepare, "time": time_row}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            out = HANDLERS[cmd["cmd"]](cmd)
        except Exception as e:  # reported to the runner, which decides what to do
            traceback.print_exc(file=sys.stderr)
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
