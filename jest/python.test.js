'use strict';
// The real-Python suite (issue 24): CPython 3.13 built for emscripten with pthreads and dynamic
// loading (tools/python-build, run by npm run setup) imports a thread-pool extension (WarmPool),
// host hooks that add table entries, and task extensions, from its own thread and from Python
// threads (cpp-tests/python/cases.py). Every case × toolchain the toolchain table marks `python` ci
// (npm test), or ci and full (`npm run python`: PTHREAD_DYLINK_PYTHON_ALL=1, after building what is
// missing) × {stock, plugin, postlink}; writes build/python/report.json. Stock must fail with a table symptom
// (or hang, bounded, where measured); plugin and postlink must pass.
// A CPython build that is missing is a failing row under CI (PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS=1)
// or for a toolchain named in PTHREAD_DYLINK_TOOLCHAINS, and a not-built row otherwise.
const c = require('../tools/conformance');
const py = require('../tools/python');
const { pythonExpectation, checkPythonRow } = require('./expectations');

const { toolchains: installed } = c.selectToolchains();
const wanted = process.env.PTHREAD_DYLINK_TOOLCHAINS?.split(',').map((t) => t.trim());
const all = process.env.PTHREAD_DYLINK_PYTHON_ALL === '1';
const required = all || process.env.PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS === '1';
const toolchains = py.pythonToolchains({ all }).filter((t) => !wanted || wanted.includes(t));
const built = toolchains.filter((t) => installed.includes(t) && py.pythonReady(t));
const missing = toolchains.filter((t) => !built.includes(t));
const rows = missing.map((toolchain) => ({
  toolchain, case: '-', mode: '-', result: 'not-built',
  detail: installed.includes(toolchain) ? `CPython is not built for ${toolchain}: run npm run setup (tools/python-build ${toolchain})` : `toolchain ${toolchain} is not installed`,
}));

afterAll(() => {
  const file = py.writeReport(rows);
  const lines = rows.map((r) => `${r.toolchain.padEnd(7)} ${r.case.padEnd(17)} ${r.mode.padEnd(9)} ${r.result.padEnd(11)} ${r.detail}`.slice(0, 230));
  process.stdout.write(`\npython (${rows.length} rows; report: ${file})\n${lines.join('\n')}\n`);
});

test('CPython is built for every toolchain that must have it', () => {
  const mustHave = required || wanted ? missing : [];
  if (mustHave.length) {
    throw new Error(`CPython for ${mustHave.join(', ')} is required here but not built: run npm run setup ` +
      '(tools/python-build; its source: ../shared/third_party/cpython or PTHREAD_DYLINK_PYTHON_SOURCES)');
  }
  if (missing.length) process.stderr.write(`[python] not built, so not run: ${missing.join(', ')} (npm run setup builds them)\n`);
});

describe.each(built)('CPython on %s', (toolchain) => {
  const jobs = Object.keys(py.CASES).flatMap((name) => py.MODES.map((mode) => ({ toolchain, name, mode })));
  const results = new Map();
  beforeAll(async () => {
    await c.pool(jobs, 2, async (job) => {
      const row = await py.runCase(job);
      results.set(`${job.name}|${job.mode}`, row);
      rows.push(row);
      process.stderr.write(`[python ${rows.length}] ${toolchain} ${job.name} ${job.mode}: ${row.result} (${(row.seconds || 0).toFixed(1)} s) ${row.detail}\n`);
    });
  }, 40 * 60 * 1000);

  test.each(jobs.map((j) => [j.name, j.mode, j]))('%s %s', (name, mode, job) => {
    const row = results.get(`${name}|${mode}`);
    checkPythonRow(row, pythonExpectation(toolchain, name, mode), `${name} ${mode} on ${toolchain}`);
  });
});
