'use strict';
// The default (bounded) randomized stress run, tools/stress.js: on every supported toolchain the
// plugin mis-resolves nothing (nor, on 6.0.5, emscripten with the upstream patch), and stock
// mis-resolves something under the same seeds (the control).
// `npm run stress -- --long` runs until 100,000 checked calls per toolchain with the plugin.
const stress = require('../tools/stress');

jest.setTimeout(20 * 60 * 1000);

test('seeded interleavings of loads, gaps and pthreads: no pointer mis-resolves with a fix; stock does', async () => {
  const report = await stress.run();
  process.stdout.write(`\n${stress.table(report)}\n`);
  const toolchains = [...new Set(report.results.map((r) => r.toolchain))];
  expect(toolchains.length).toBeGreaterThan(0);
  for (const t of toolchains) {
    const plugin = report.results.find((r) => r.toolchain === t && r.mode === 'plugin');
    const stock = report.results.find((r) => r.toolchain === t && r.mode === 'stock');
    expect({ toolchain: t, checks: plugin.checks > 0, mismatches: plugin.mismatches, first: plugin.first })
      .toEqual({ toolchain: t, checks: true, mismatches: 0, first: '' });
    expect({ toolchain: t, stockMismatches: stock.mismatches > 0 }).toEqual({ toolchain: t, stockMismatches: true });
    for (const fix of report.results.filter((r) => r.toolchain === t && !['stock', 'plugin'].includes(r.mode))) {
      expect({ toolchain: t, mode: fix.mode, checks: fix.checks > 0, mismatches: fix.mismatches, first: fix.first })
        .toEqual({ toolchain: t, mode: fix.mode, checks: true, mismatches: 0, first: '' });
    }
  }
});
