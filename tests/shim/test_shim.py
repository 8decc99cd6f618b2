#!/usr/bin/env python3
"""Self-checks of the shim's number rules: python3 tests/shim/test_shim.py"""

import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import f32shim as s  # noqa: E402


class F32Repr(unittest.TestCase):
    def test_like_the_device_formatter(self):
        # The examples of design.md §4 and shared-protocol numfmt's tests.
        cases = [
            (0.1, '0.1'), (1 / 3, '0.33333334'), (1e-05, '1e-05'), (1e16, '1e+16'),
            (0.0, '0.0'), (-0.0, '-0.0'), (1.0, '1.0'), (123456789.0, '123456790.0'),
            (3.4028234663852886e38, '3.4028235e+38'), (2097152.25, '2097152.2'),
            (16777216.0, '16777216.0'), (1e15, '1000000000000000.0'), (0.0001, '0.0001'),
            (math.inf, 'inf'), (-math.inf, '-inf'), (math.nan, 'nan'),
        ]
        for v, text in cases:
            self.assertEqual(s.f32_repr(s.f32(v)), text, v)

    def test_round_trips(self):
        x = 1.0
        for _ in range(200):
            x = s.f32(x * 1.37)
            if math.isinf(x):
                break
            self.assertEqual(s.f32(float(s.f32_repr(x))), x)

    def test_nested(self):
        self.assertEqual(s.fmt([s.f32(0.1), ('a',), [1.5, None]]), "[0.1, ('a',), [1.5, None]]")


class Ops(unittest.TestCase):
    def test_i32_overflow(self):
        self.assertEqual(s._binop('+', 2147483646, 1), 2147483647)
        with self.assertRaises(OverflowError):
            s._binop('+', 2147483647, 1)
        with self.assertRaises(OverflowError):
            s._unop('-', -2147483648)
        with self.assertRaises(OverflowError):
            s._binop('**', 2, 31)
        self.assertEqual(s._binop('**', -2, 31), -2147483648)
        self.assertEqual(s._binop('<<', -1, 31), -2147483648)
        with self.assertRaises(OverflowError):
            s._binop('<<', 1, 31)

    def test_f32_rounding(self):
        self.assertEqual(s._binop('+', 16777216, 1.0), 16777216.0)
        self.assertEqual(s.f32_repr(s._binop('/', 1, 3)), '0.33333334')
        self.assertEqual(s._binop('*', s.f32(1e20), s.f32(1e20)), math.inf)
        self.assertTrue(s._binop('+', s.f32(0.1), s.f32(0.2)) == s.f32(0.3))

    def test_floor_semantics(self):
        self.assertEqual(s._binop('//', -7, 2), -4)
        self.assertEqual(s._binop('%', -7, 3), 2)
        self.assertEqual(s._binop('//', -7.5, 2), -4.0)
        self.assertEqual(s._binop('%', -7.5, 2), 0.5)
        self.assertEqual(str(s._binop('//', -0.0, 1.0)), '-0.0')

    def test_bool_stays_bool(self):
        self.assertIs(s._binop('&', True, False), False)
        self.assertEqual(s._binop('+', True, True), 2)

    def test_serve_frames(self):
        import io
        progs = ['print(0.1 + 0.2)\n', 'print("é", 2 ** 30 - 1 + 2 ** 30)\nx = 1 // 0\n', 'x = 1 +\n']
        stdin = io.BytesIO(b''.join(b'%d\n%s' % (len(p.encode()), p.encode()) for p in progs))
        stdout = io.BytesIO()
        s.serve(stdin, stdout)
        out = io.BytesIO(stdout.getvalue())
        got = [s._read_frame(out) for _ in progs]
        self.assertEqual(got[0], '0.3\n')
        self.assertEqual(got[1], 'é 2147483647\nZeroDivisionError: integer division or modulo by zero (line 2)\n')
        self.assertTrue(got[2].startswith('SyntaxError: '), got[2])
        self.assertIsNone(s._read_frame(out))


if __name__ == '__main__':
    unittest.main()
