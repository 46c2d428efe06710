"""PyTorch twin of `npm run bench` (bench/table.bench.ts starts it with --torch).

Reads one JSON command per line on stdin and answers one JSON line on stdout, so that its columns
take their turn in the same rounds as the JS peers:
  setup   {key, threads, dir, kind, ...}  builds a case from the row's inputs (raw float32 files in dir)
  check   {key, slowMs}                   two calls (one if the first is slower than slowMs): probes
  time    {key, ms}                       calls for ms (at least one): wall and CPU ms per call
  dispose {key}
The work of each kind mirrors bench/rows/*.ts and bench/lib/net/*.ts.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F


def load(d):
    with open(os.path.join(d, "shapes.json")) as f:
        shapes = json.load(f)
    out = {}
    for name, shape in shapes.items():
        with open(os.path.join(d, name + ".f32"), "rb") as f:
            data = bytearray(f.read())
        out[name] = torch.frombuffer(data, dtype=torch.float32).reshape(shape).clone()
    return out


class Lesson:
    def __init__(self, inp, cmd):
        self.xs, self.ys, self.lr, self.epochs = cmd["x"], cmd["y"], cmd["lr"], cmd["epochs"]
        self.w = torch.tensor([float(cmd["w0"])], requires_grad=True)

    def step(self):
        w = self.w
        for _ in range(self.epochs):
            for x, y in zip(self.xs, self.ys):
                l = (x * w - y) ** 2
                l.backward()
                w.grad.item()
                w.data = w.data - self.lr * w.grad.data
                w.grad.data.zero_()

    def probe(self):
        return [self.w.item()]


class Matmul:
    def __init__(self, inp, cmd):
        a, b = inp["A"], inp["B"]
        self.a = a.t() if cmd["layout"] == "tn" else a
        self.b = b.t() if cmd["layout"] == "nt" else b
        self.probes = cmd["probes"]
        self.c = None

    def step(self):
        self.c = torch.mm(self.a, self.b)

    def probe(self):
        flat = self.c.reshape(-1)
        return [flat[i].item() for i in self.probes]


class Fma:
    def __init__(self, inp, cmd):
        self.a, self.b, self.c = inp["a"], inp["b"], inp["c"]
        self.probes = cmd["probes"]
        self.out = None

    def step(self):
        self.out = self.a * self.b + self.c

    def probe(self):
        return [self.out[i].item() for i in self.probes]


class Sum:
    def __init__(self, inp, cmd):
        self.a = inp["a"]
        self.total = float("nan")

    def step(self):
        self.total = self.a.sum().item()

    def probe(self):
        return [self.total]


class Net:
    def __init__(self, inp, cmd):
        spec = cmd["spec"]
        self.layers = spec["layers"]
        self.x = inp["x"]
        self.y = inp["y"].long()
        self.p = {}
        for l in self.layers:
            if l["kind"] in ("linear", "conv"):
                for part in ("weight", "bias"):
                    name = l["name"] + "." + part
                    self.p[name] = inp[name].clone().requires_grad_(True)
        self.opt = torch.optim.SGD(list(self.p.values()), lr=spec["lr"], momentum=spec["momentum"])
        self.loss = float("nan")

    def forward(self, a):
        p = self.p
        for l in self.layers:
            k = l["kind"]
            if k == "linear":
                a = F.linear(a, p[l["name"] + ".weight"], p[l["name"] + ".bias"])
            elif k == "conv":
                a = F.conv2d(a, p[l["name"] + ".weight"], p[l["name"] + ".bias"], padding=l["pad"])
            elif k == "relu":
                a = F.relu(a)
            elif k == "pool":
                a = F.max_pool2d(a, 2)
            else:
                a = a.flatten(1)
        return a

    def step(self):
        self.opt.zero_grad()
        l = F.cross_entropy(self.forward(self.x), self.y)
        l.backward()
        self.opt.step()
        self.loss = l.item()

    def probe(self):
        return [self.loss]


KINDS = {"lesson": Lesson, "matmul": Matmul, "fma": Fma, "sum": Sum, "net": Net}


def run_for(case, ms):
    calls = 0
    c0, t0 = time.process_time(), time.perf_counter()
    t = t0
    while True:
        case.step()
        calls += 1
        t = time.perf_counter()
        if (t - t0) * 1000 >= ms:
            break
    return {"wall": (t - t0) * 1000 / calls, "cpu": (time.process_time() - c0) * 1000 / calls}


def main():
    cases = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            key = cmd["key"]
            op = cmd["cmd"]
            if op == "setup":
                if cmd["kind"] not in KINDS:
                    reply = {"unsupported": "no torch twin for " + cmd["kind"]}
                else:
                    cases[key] = (KINDS[cmd["kind"]](load(cmd["dir"]), cmd), cmd["threads"])
                    reply = {}
            elif op == "dispose":
                cases.pop(key, None)
                reply = {}
            else:
                case, threads = cases[key]
                torch.set_num_threads(threads)
                if op == "check":
                    last = run_for(case, 0)
                    p1 = case.probe()
                    p2 = None
                    if last["cpu"] <= 3 * cmd["slowMs"]:  # SKIP_SECOND in bench/lib/agree.ts
                        last = run_for(case, 0)
                        p2 = case.probe()
                    reply = {"probes": [p1, p2], "last": last}
                else:
                    reply = run_for(case, cmd["ms"])
        except Exception as e:  # the JS side reports it in the table's footnotes
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
