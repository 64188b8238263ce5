'use strict';
// The fast subset of the peer suite (tools/peer.js): emscripten's own pthreads + dylink tests,
// stock and with the plugin in every link. Every test that passes on stock must pass with it.
// `npm run peer` runs the whole selection and the dlopen_many failure rates.
const peer = require('../tools/peer');

jest.setTimeout(20 * 60 * 1000);

test('emscripten\'s own pthreads + dylink tests that pass on stock pass with the plugin (fast subset)', async () => {
  const report = await peer.run({ fast: true });
  process.stdout.write(`\n${peer.table(report)}\n`);
  // The subset is chosen to pass on stock: if none does, the comparison proves nothing.
  expect(report.rows.filter((r) => r.mode === 'stock' && r.result === 'pass').length).toBeGreaterThan(0);
  expect(report.regressions).toEqual([]);
});

test('the runner output parser reads both runner formats and keeps why a test failed', () => {
  const out = [
    'test_a (test_core.core0.test_a) ... ok (3.14s)',
    '[2/3-1] test_b (test_core.core2.test_b) ... ',
    'Traceback (most recent call last):',
    "FileNotFoundError: [Errno 2] No such file or directory: 'closure-compiler'",
    'FAIL',
    "test_c (test_other.other.test_c) ... skipped 'https://reviews.llvm.org/D128515'",
  ].join('\n');
  expect(peer.parse(out)).toEqual([
    { test: 'core0.test_a', result: 'pass', note: '', seconds: 3.14, reason: '' },
    { test: 'core2.test_b', result: 'fail', note: '', seconds: null, reason: "FileNotFoundError: [Errno 2] No such file or directory: 'closure-compiler'" },
    { test: 'other.test_c', result: 'skipped', note: 'https://reviews.llvm.org/D128515', seconds: null, reason: '' },
  ]);
});

test('a regression is a test that passes on stock and not with the plugin', () => {
  const row = (test, mode, result) => ({ toolchain: '6.0.5', test, mode, result });
  expect(peer.regressions([row('a', 'stock', 'pass'), row('a', 'plugin', 'fail'), row('b', 'stock', 'fail'), row('b', 'plugin', 'fail'),
    row('c', 'stock', 'pass'), row('c', 'plugin', 'pass')]).map((r) => r.test)).toEqual(['a']);
});

test('where the upstream patch ran, a test lost there is a regression too, and so is its own test failing', () => {
  const row = (test, mode, result) => ({ toolchain: '6.0.5', test, mode, result });
  const rows = [row('a', 'stock', 'pass'), row('a', 'plugin', 'pass'), row('a', 'upstream-patched', 'fail'),
    row('core0.test_pthread_dlopen_table_gap', 'upstream-patched', 'fail')];
  expect(peer.regressions(rows).map((r) => `${r.test} ${r.mode}`))
    .toEqual(['a upstream-patched', 'core0.test_pthread_dlopen_table_gap upstream-patched']);
});
