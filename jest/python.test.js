'use strict';
// The real-Python suite (issue 24): CPython 3.13 built for emscripten with pthreads and dynamic
// loading (tools/python-build) imports a thread-pool extension (WarmPool), host hooks that add
// table entries, and task extensions, from its own thread and from Python threads
// (cpp-tests/python/cases.py). Every case × {stock, plugin, postlink} on every toolchain whose
// CPython is built (npm test), or on every toolchain the toolchain table marks `python` ci or full,
// built first (`npm run python`: PTHREAD_DYLINK_PYTHON_ALL=1); writes build/python/report.json.
// Stock must fail with a table symptom (or hang, bounded, where measured); plugin and postlink must pass.
// Which builds are required: under CI (PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS=1) those setup makes
// (the table's `ci`), with PTHREAD_DYLINK_PYTHON_ALL every one, and any toolchain named in
// PTHREAD_DYLINK_TOOLCHAINS; a required build that is missing fails the suite. npm test runs the
// rows of every build there is (`npm run python` makes the `full` ones): a missing one that is
// not required is a not-built row, said on stderr.
const c = require('../tools/conformance');
const py = require('../tools/python');
const { pythonExpectation, checkPythonRow } = require('./expectations');

const { toolchains: installed } = c.selectToolchains();
const wanted = process.env.PTHREAD_DYLINK_TOOLCHAINS?.split(',').map((t) => t.trim());
const all = process.env.PTHREAD_DYLINK_PYTHON_ALL === '1';
const underCi = process.env.PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS === '1';
const toolchains = py.pythonToolchains({ all: true }).filter((t) => !wanted || wanted.includes(t));
const required = all || wanted ? toolchains : underCi ? py.pythonToolchains() : [];
const built = toolchains.filter((t) => installed.includes(t) && py.pythonReady(t));
const missing = toolchains.filter((t) => !built.includes(t));
const rows = missing.map((toolchain) => ({
  toolchain, case: '-', mode: '-', result: 'not-built',
  detail: installed.includes(toolchain) ? `CPython is not built for ${toolchain}: run npm run python (tools/python-build ${toolchain})` : `toolchain ${toolchain} is not installed`,
}));

afterAll(() => {
  const file = py.writeReport(rows);
  const lines = rows.map((r) => `${r.toolchain.padEnd(7)} ${r.case.padEnd(17)} ${r.mode.padEnd(9)} ${r.result.padEnd(11)} ${r.detail}`.slice(0, 230));
  process.stdout.write(`\npython (${rows.length} rows; report: ${file})\n${lines.join('\n')}\n`);
});

test('CPython is built for every toolchain that must have it', () => {
  const mustHave = missing.filter((t) => required.includes(t));
  if (mustHave.length) {
    throw new Error(`CPython for ${mustHave.join(', ')} is required here but not built: run npm run python ` +
      '(tools/python-build; its source: ../shared/third_party/cpython or PTHREAD_DYLINK_PYTHON_SOURCES)');
  }
  if (missing.length) process.stderr.write(`[python] not built, so not run: ${missing.join(', ')} (npm run python builds them, ~10 min each)\n`);
});

function cases(toolchain) {
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
}
// (Jest refuses an empty table.)
if (built.length) describe.each(built)('CPython on %s', cases);

