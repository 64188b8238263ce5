'use strict';
// Conformance: every scenario in cpp-tests/ × every installed toolchain × {stock, plugin, postlink, jstransform,
// upstream-patched (6.0.5 only: emscripten with upstream/emscripten-6.0.5.patch, no plugin)} × build
// variants. Writes build/conformance/report.json (one row per run) and asserts each row against
// jest/expectations.js. Select toolchains with PTHREAD_DYLINK_TOOLCHAINS=6.0.5,3.1.69.
const fs = require('fs');
const path = require('path');
const c = require('../tools/conformance');
const { expectedOutcome, pluginRefused, checkRow } = require('./expectations');

const VARIANTS = [
  { opt: 'O2', assertions: 0, mainModule: 1 },
  { opt: 'O0', assertions: 1, mainModule: 1 },
  { opt: 'O2', assertions: 1, mainModule: 1 },
];
// Toolchains the plugin refuses only need the default build: their stock hangs cost a minute each.
const variantsFor = (toolchain) => (pluginRefused[toolchain] ? VARIANTS.slice(0, 1) : VARIANTS);
const MODES = ['stock', 'plugin', 'postlink', 'jstransform', 'upstream-patched'];
const modesFor = (toolchain) => c.modesFor(MODES, toolchain);
// The --js-transform route patches the same text `postlink` patches, only earlier (before
// emscripten's own minification): one build variant shows it survives that.
const variantsForMode = (toolchain, mode) => (mode === 'jstransform' ? variantsFor(toolchain).slice(0, 1) : variantsFor(toolchain));

const wanted = process.env.PTHREAD_DYLINK_TOOLCHAINS?.split(',');
const toolchains = c.installedToolchains().filter((t) => !wanted || wanted.includes(t));
const scenarios = c.listScenarios();
const rows = [];

afterAll(async () => {
  await c.writeReportRows(rows, { host: 'node', toolchains });
  process.stdout.write(c.formatRows(rows));
});

if (toolchains.length === 0) {
  test('at least one toolchain is installed', () => {
    throw new Error('no emscripten toolchain installed: run `npm run setup` (tools/setup) first');
  });
}

describe.each(toolchains)('toolchain %s', (toolchain) => {
  const jobs = [];
  for (const scenario of scenarios) {
    for (const mode of modesFor(toolchain)) {
      for (const variant of variantsForMode(toolchain, mode)) jobs.push({ toolchain, scenario, mode, variant });
    }
  }
  const results = new Map();

  beforeAll(async () => {
    await c.pool(jobs, 2, async (job) => {
      const key = jobKey(job);
      let row;
      try {
        const dir = await c.buildScenario(job);
        const r = await c.runScenario({ toolchain, dir, expectError: job.scenario.expectError });
        row = { result: r.result, detail: r.detail, seconds: r.seconds };
      } catch (e) {
        row = { result: 'build-error', detail: e.summary || e.message.split('\n').slice(0, 4).join(' ').slice(0, 400), seconds: 0 };
      }
      const exp = expectedOutcome(toolchain, job.scenario.id, job.mode);
      const full = {
        host: 'node', toolchain, scenario: job.scenario.id, title: job.scenario.title, mode: job.mode,
        variant: c.variantName(job.variant), ...row,
        expected: exp.assert ? exp.result : 'any', reason: exp.reason || '',
      };
      results.set(key, full);
      rows.push(full);
      // Progress as it happens (Jest shows console output only at the end of a file).
      process.stderr.write(`[conformance ${rows.length}] ${toolchain} ${job.scenario.id} ${job.mode} ${full.variant}: ${row.result} (${row.seconds.toFixed(1)} s)\n`);
    });
  }, 40 * 60 * 1000);

  test.each(jobs.map((j) => [j.scenario.id, j.mode, c.variantName(j.variant), j]))('%s %s %s', (id, mode, variant, job) => {
    checkRow(results.get(jobKey(job)), expectedOutcome(toolchain, id, mode), { id, mode, where: `${id} ${mode} on ${toolchain} (${variant})` });
  });
});

function jobKey(j) {
  return `${j.toolchain}|${j.scenario.id}|${j.mode}|${c.variantName(j.variant)}`;
}
