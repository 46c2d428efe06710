"""Runs the PyTorch originals of the course examples (examples/torch/<name>.py) and stores what
they print as test/fixtures/course/<name>.stdout.txt, the text test/course/lessons.test.ts holds
each port (examples/<name>.ts) to.

Lessons that use torch are also run with `--float64` (the same program in double precision, from
the same float32-drawn initial parameters), stored as <name>.float64.stdout.txt: the distance
between the two runs is what float32 rounding alone does to the printed numbers, and it sets the
test's tolerance for float32 port against float32 torch. The table this prints is that distance.

Run with /usr/bin/python3 (torch 1.13, numpy):  /usr/bin/python3 scripts/make_course_fixtures.py
(optionally followed by name prefixes, e.g. `lesson09`, to rerun only those lessons)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'course')

# (name, has a --float64 variant). Lessons 2 and 3 compute in Python floats, already double.
LESSONS = [
    ('lesson02-linear-model', False),
    ('lesson03-gradient-descent', False),
    ('lesson05-linear-regression-module', True),
    ('lesson06-logistic-regression', True),
    ('lesson07-multiple-dimension-input', True),
    ('lesson08-dataloader', True),
]

# Lessons 9-13 train for minutes, so the test runs them with the arguments given here (fewer
# epochs: `--quick`), stored as <name>.quick.stdout.txt and <name>.quick.float64.stdout.txt.
# Lesson 12 is quick as it is: no arguments, stored as <name>.stdout.txt and <name>.float64.stdout.txt.
QUICK = {
    'lesson09-softmax-classifier': ['--quick'],
    'lesson10-basic-cnn': ['--quick'],
    'lesson11-advanced-cnn': ['--quick'],
    'lesson12-basic-rnn': [],
    'lesson13-rnn-classifier': ['--quick'],
}

NUM = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')


def run(name, *args):
    script = os.path.join(ROOT, 'examples', 'torch', name + '.py')
    return subprocess.run([sys.executable, script, *args], check=True, capture_output=True, text=True,
                          cwd=ROOT).stdout


def drift(f32, f64):
    """Largest relative difference between corresponding printed numbers (the dtype suffix of a
    float64 tensor's repr aside), with where it occurs."""
    a = f32.splitlines()
    b = f64.replace(', dtype=torch.float64', '').splitlines()
    assert len(a) == len(b), 'float32 and float64 runs print different numbers of lines'
    worst = (0.0, '')
    for la, lb in zip(a, b):
        assert NUM.sub('#', la) == NUM.sub('#', lb), (la, lb)
        for x, y in zip(NUM.findall(la), NUM.findall(lb)):
            x, y = float(x), float(y)
            r = abs(x - y) / abs(y) if y != 0 else abs(x - y)
            if r > worst[0]:
                worst = (r, f'{la!r} vs {lb!r}')
    return worst


def main():
    # Optional arguments: name prefixes of the lessons to rerun (default all).
    only = sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    todo = [(name, has64, []) for name, has64 in LESSONS] + [(name, True, args) for name, args in QUICK.items()]
    for name, has64, args in todo:
        if only and not any(name.startswith(p) for p in only):
            continue
        stem = name + ('.quick' if args else '')
        out = run(name, *args)
        with open(os.path.join(OUT, stem + '.stdout.txt'), 'w') as f:
            f.write(out)
        summary = f'{len(out.splitlines())} lines'
        if has64:
            out64 = run(name, *args, '--float64')
            with open(os.path.join(OUT, stem + '.float64.stdout.txt'), 'w') as f:
                f.write(out64)
            r, where = drift(out, out64)
            summary += f', float32 vs float64 largest relative difference {r:.3g} ({where})'
        print(f'{stem}: {summary}')


if __name__ == '__main__':
    main()
