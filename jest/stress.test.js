'use strict';
// The default (bounded) randomized stress run, tools/stress.js: the plugin mis-resolves nothing
// (nor emscripten with the upstream patch, where it runs), and stock mis-resolves something under
// the same seeds (the control). npm test runs it on Pyodide's 5.0.3 and the newest toolchain (CI
// budget); `npm run stress` on every supported one, `npm run stress -- --long` until 100,000
// checked calls per toolchain with the plugin.
const stress = require('../tools/stress');
const c = require('../tools/conformance');

const supported = c.supportedToolchains();
const toolchains = supported.filter((t) => t === '5.0.3' || t === c.newestSupported(supported));

jest.setTimeout(20 * 60 * 1000);

test('seeded interleavings of loads, gaps and pthreads: no pointer mis-resolves with a fix; stock does', async () => {
  const report = await stress.run({ toolchains });
  process.stdout.write(`\n${stress.table(report)}\n`);
  // Every requested toolchain must have rows: one that ran nothing is a failure, not a skip.
  const ran = [...new Set(report.results.map((r) => r.toolchain))];
  expect(toolchains.length).toBeGreaterThan(0);
  expect(ran.sort()).toEqual([...toolchains].sort());
  for (const t of ran) {
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
