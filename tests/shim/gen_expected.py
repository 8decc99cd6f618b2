#!/usr/bin/env python3
"""Regenerate tests/programs/*.out from CPython through the f32/i32 shim.

    python3 tests/shim/gen_expected.py            # rewrite every .out
    python3 tests/shim/gen_expected.py NAME...    # only these programs
    python3 tests/shim/gen_expected.py --check    # fail if any .out is stale
    python3 tests/shim/gen_expected.py --plain-diff
        # list the programs whose output under plain CPython differs from the
        # shim's (those that depend on f32 floats or 32-bit ints); for every
        # other program the shim is transparent and the .out is CPython's own.

The shim is used for every program: for programs that cannot depend on
f32/i32 it is transparent (checked by --plain-diff), so there is one way to
produce expected outputs. Never edit a .out by hand.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(os.path.dirname(HERE), 'programs')
SHIM = os.path.join(HERE, 'f32shim.py')


def expected(name, plain=False):
    path = os.path.join(PROGRAMS, name + '.py')
    cmd = [sys.executable, SHIM] + (['--plain'] if plain else []) + [path]
    # Programs are run from their directory with a relative path, so nothing
    # machine-specific can reach the output.
    try:
        r = subprocess.run(cmd, cwd=PROGRAMS, capture_output=True, text=True,
                           timeout=10 if plain else 120, env=dict(os.environ, PYTHONHASHSEED='0'))
    except subprocess.TimeoutExpired:
        if plain:  # e.g. a loop that only an i32 overflow ends
            return '<plain CPython did not finish>'
        raise SystemExit('%s: the shim timed out' % name)
    if r.returncode != 0:
        raise SystemExit('%s: the shim failed:\n%s' % (name, r.stderr))
    return r.stdout


def main():
    args = sys.argv[1:]
    check = '--check' in args
    plain_diff = '--plain-diff' in args
    names = [a[:-3] if a.endswith('.py') else a for a in args if not a.startswith('--')]
    if not names:
        names = sorted(f[:-3] for f in os.listdir(PROGRAMS) if f.endswith('.py'))
    stale = []
    for name in names:
        out = expected(name)
        target = os.path.join(PROGRAMS, name + '.out')
        if plain_diff:
            if expected(name, plain=True) != out:
                print('depends on f32/i32:', name)
            continue
        old = open(target, encoding='utf-8').read() if os.path.exists(target) else None
        if check:
            if old != out:
                stale.append(name)
            continue
        if old != out:
            with open(target, 'w', encoding='utf-8', newline='\n') as f:
                f.write(out)
            print('wrote', name + '.out')
    if check:
        if stale:
            raise SystemExit('stale .out files: ' + ' '.join(stale))
        print('all %d .out files are up to date' % len(names))


if __name__ == '__main__':
    main()
