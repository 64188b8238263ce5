'use strict';
// Conformance: every scenario in cpp-tests/ × every installed toolchain × {stock, plugin, postlink, jstransform,
// upstream-patched (6.0.8 only: emscripten with upstream/emscripten-6.0.8.patch, no plugin)} × build
// variants. Writes build/conformance/report.json (one row per run) and asserts each row against
// jest/expectations.js. Select toolchains with PTHREAD_DYLINK_TOOLCHAINS=6.0.5,3.1.69 (each named one
// must be installed); .ci/run sets PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS=1 (every known one must be).
const fs = require('fs');
const path = require('path');
const c = require('../tools/conformance');
const { expectedOutcome, pluginRefused, checkRow } = require('./expectations');
const { memory64Runs } = require('../src/versions.js');

// The build variants, and which rows each gets. `npm test` runs the rows marked ci; `npm run
// conformance:full` (PTHREAD_DYLINK_FULL_MATRIX=1) runs every row. Every scenario × toolchain ×
// route keeps at least its default-variant row in `npm test`.
const ALL_MODES = ['stock', 'plugin', 'postlink', 'jstransform', 'upstream-patched'];
// The routes whose code differs for a variant: jstransform patches the text postlink patches
// (earlier, before emscripten's minifier), upstream-patched is emscripten's own library code.
const OWN_CODE = ['stock', 'plugin', 'postlink'];
// A variant beyond the default runs in npm test on the scenarios listed in `scenarios` (one of each
// load route: startup, JS preload, dlopen from main and from a pthread, the seed pool, plus what
// the variant changes), and on every scenario in the full matrix.
const LOAD_ROUTES = ['S1', 'S2', 'S3', 'S6', 'S11'];
const VARIANTS = [
  { variant: { opt: 'O2', assertions: 0, mainModule: 1 }, modes: ALL_MODES, ci: () => true },
  // Most real builds (Pyodide, CPython's own) grow memory: emscripten then writes every heap
  // access through a view refresh, and the transform must read and write those forms.
  // npm test: on 5.0.3 (Pyodide's), with S15 (CPython's trampoline); jstransform and
  // upstream-patched, and the other toolchains, in the full matrix (the transform tests patch
  // growth output of each toolchain).
  { variant: { opt: 'O2', assertions: 0, mainModule: 1, growth: 1 }, modes: ALL_MODES, ci: (t) => t === '5.0.3', ciModes: OWN_CODE, scenarios: [...LOAD_ROUTES, 'S15'] },
  // 64-bit memory and table (table64 indices are BigInts, struct dso fields 8 bytes), on the
  // toolchains whose own node runs it (versions.js); npm test on the newest, with the slots JS
  // writes (S8: wasm functions added from JS, S12: reused slots).
  { variant: { opt: 'O2', assertions: 0, mainModule: 1, memory64: 1 }, modes: OWN_CODE, ci: (t) => t === newest, where: memory64Runs, scenarios: [...LOAD_ROUTES, 'S8', 'S12'] },
  // emscripten's own table assertions on ("unexpected table size while loading" must never fire
  // with the plugin): in npm test on the newest toolchain, every load route and the pool workers.
  { variant: { opt: 'O0', assertions: 1, mainModule: 1 }, modes: ALL_MODES.filter((m) => m !== 'jstransform'), ci: (t) => t === newest, ciModes: OWN_CODE, scenarios: [...LOAD_ROUTES, 'S4'] },
  { variant: { opt: 'O2', assertions: 1, mainModule: 1 }, modes: ALL_MODES.filter((m) => m !== 'jstransform'), ci: () => false },
  // MAIN_MODULE=2 (only what is used is kept and exported): the side modules on the link line.
  { variant: { opt: 'O2', assertions: 0, mainModule: 2 }, modes: ALL_MODES, ci: () => false },
  // --closure 1 with the library route (the transform refuses closure output: transform tests).
  // A closure link takes ~30 s: one scenario on the newest in npm test, every one in the full matrix.
  { variant: { opt: 'O2', assertions: 0, mainModule: 1, closure: 1 }, modes: ['plugin'], ci: (t) => t === newest, scenarios: ['S12'] },
];
const FULL = process.env.PTHREAD_DYLINK_FULL_MATRIX === '1';
// Whether row (variant v, toolchain, mode, scenario) runs. Toolchains the plugin refuses only
// need the default build: their stock rows hang.
function runs(v, toolchain, mode, scenario) {
  // The hang scenarios are about the dlsync, which a refused toolchain (3.1.6) does not have (and
  // their side modules use EM_ASM, which it does not build).
  // npm test: one scenario shows the refusal (the same for every scenario) and its stock row.
  if (pluginRefused[toolchain]) return v === VARIANTS[0] && !scenario.dlsync && (FULL || scenario.id === 'S1');
  if ((v.where && !v.where(toolchain)) || !v.modes.includes(mode)) return false;
  if (FULL) return true;
  return v.ci(toolchain) && (!v.ciModes || v.ciModes.includes(mode)) && (!v.scenarios || v.scenarios.includes(scenario.id));
}
const variantsForMode = (toolchain, mode, scenario) => VARIANTS.filter((v) => runs(v, toolchain, mode, scenario)).map((v) => v.variant);
const modesFor = (toolchain) => c.modesFor(ALL_MODES, toolchain);

const { toolchains, missingRequired, notInstalled } = c.selectToolchains();
// The newest toolchain the plugin supports: where npm test also runs the ASSERTIONS variant.
const newest = c.newestSupported(toolchains);
const scenarios = c.listScenarios();
const rows = [];

// A toolchain that is not installed gets one row saying so (its old rows leave the report).
for (const toolchain of notInstalled) {
  rows.push({
    host: 'node', toolchain, scenario: '-', title: '', mode: '-', variant: '-', result: 'not-installed',
    detail: 'not installed: run `npm run setup` (tools/setup)', seconds: 0,
    expected: missingRequired.includes(toolchain) ? 'pass' : 'any', reason: '',
  });
}

afterAll(async () => {
  await c.writeReportRows(rows, { host: 'node', toolchains: [...toolchains, ...notInstalled] });
  process.stdout.write(c.formatRows(rows));
});

test('every required toolchain is installed', () => {
  if (missingRequired.length) {
    throw new Error(`toolchains ${missingRequired.join(', ')} are required here (PTHREAD_DYLINK_TOOLCHAINS or PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS) ` +
      'but not installed: run `npm run setup` (their sources: PTHREAD_DYLINK_TOOLCHAIN_SOURCES)');
  }
});
if (toolchains.length === 0) {
  test('at least one toolchain is installed', () => {
    throw new Error('no emscripten toolchain installed: run `npm run setup` (tools/setup) first');
  });
}
// With only toolchains the plugin refuses, no row shows the plugin working.
test('at least one installed toolchain is one the plugin supports', () => {
  if (toolchains.length && toolchains.every((t) => pluginRefused[t])) {
    throw new Error(`only ${toolchains.join(', ')} installed, which the plugin refuses: no row can show it working; install a supported toolchain (npm run setup)`);
  }
});

describe.each(toolchains)('toolchain %s', (toolchain) => {
  const jobs = [];
  for (const scenario of scenarios) {
    for (const mode of modesFor(toolchain)) {
      for (const variant of variantsForMode(toolchain, mode, scenario)) {
        // A scenario that fixes part of the variant (S14: memory growth) can make two the same.
        const job = { toolchain, scenario, mode, variant: c.scenarioVariant(variant, scenario) };
        if (!jobs.some((j) => jobKey(j) === jobKey(job))) jobs.push(job);
      }
    }
  }
  const results = new Map();

  beforeAll(async () => {
    await c.pool(jobs, 2, async (job) => {
      const key = jobKey(job);
      const exp = expectedOutcome(toolchain, job.scenario.id, job.mode, c.variantName(job.variant));
      let row;
      try {
        const dir = await c.buildScenario(job);
        // Rows only recorded (3.1.6: no dlopen sync, its stock rows hang) need no full minute.
        const timeoutMs = exp.assert ? job.scenario.timeoutMs || 60000 : 5000;
        const r = await c.runScenario({ toolchain, dir, ...c.scenarioExpectations(job.scenario, job.mode), timeoutMs });
        row = { result: r.result, detail: r.detail, evidence: r.evidence, seconds: r.seconds };
      } catch (e) {
        row = { result: 'build-error', detail: e.summary || e.message.split('\n').slice(0, 4).join(' ').slice(0, 400), seconds: 0 };
      }
      const full = {
        host: 'node', toolchain, scenario: job.scenario.id, title: job.scenario.title, mode: job.mode,
        variant: c.variantName(job.variant), ...row,
        expected: exp.assert ? exp.allowed?.join('|') ?? exp.result : 'any', reason: exp.reason || '',
      };
      results.set(key, full);
      rows.push(full);
      // Progress as it happens (Jest shows console output only at the end of a file).
      process.stderr.write(`[conformance ${rows.length}] ${toolchain} ${job.scenario.id} ${job.mode} ${full.variant}: ${row.result} (${row.seconds.toFixed(1)} s)\n`);
    });
  }, 40 * 60 * 1000);

  test.each(jobs.map((j) => [j.scenario.id, j.mode, c.variantName(j.variant), j]))('%s %s %s', (id, mode, variant, job) => {
    checkRow(results.get(jobKey(job)), expectedOutcome(toolchain, id, mode, variant), { id, mode, where: `${id} ${mode} on ${toolchain} (${variant})` });
  });
});

function jobKey(j) {
  return `${j.toolchain}|${j.scenario.id}|${j.mode}|${c.variantName(j.variant)}`;
}
