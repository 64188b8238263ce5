'use strict';
// Conformance in real browsers: every scenario in cpp-tests/, built once for the web
// (conformance.js host 'chromium': -sENVIRONMENT=web,worker) and run in Debian's headless Chromium
// (playwright-core), Firefox ESR (puppeteer-core over WebDriver BiDi) and WebKitGTK's MiniBrowser
// (selenium-webdriver, tools/webkit.js), from a loopback server
// with COOP/COEP. Modes: stock (the control), plugin, postlink, and upstream-patched on the version
// the patch is for (Chromium); the default build variant (-O2, no assertions). Rows land in
// build/conformance/report.json with host 'chromium', 'firefox' or 'webkit' and are held to
// jest/expectations.js, the same expectations as Node's rows. Then the demo (examples/browser-demo):
// pressed once per engine, with a screenshot kept at build/browser/demo-ENGINE.png.
const fs = require('fs');
const path = require('path');
const c = require('../tools/conformance');
const browser = require('../tools/browser');
const { launchWebKit } = require('../tools/webkit');
const demo = require('../tools/demo');
const { expectedOutcome, checkRow } = require('./expectations');
const { shapeFor, versionNumber } = require('../src/versions.js');

const MODES = ['stock', 'plugin', 'postlink', 'upstream-patched'];
// The engines, each with the routes it runs: every one the same web build (conformance.js host
// 'chromium': -sENVIRONMENT=web,worker), judged by the same expectations. Chromium keeps the
// upstream patch's rows; Firefox and WebKit run stock (the control) and our two routes.
const ENGINES = {
  chromium: { name: 'Chromium', launch: browser.launchChromium, modes: MODES },
  firefox: { name: 'Firefox', launch: browser.launchFirefox, modes: MODES.filter((m) => m !== 'upstream-patched') },
  webkit: { name: 'WebKit', launch: launchWebKit, modes: MODES.filter((m) => m !== 'upstream-patched') },
};
const BUILD_HOST = 'chromium';

// A version the plugin refuses has nothing to show in a browser that its Node rows do not. npm test
// runs the newest installed (what differs between engines is the engine; what differs between
// toolchains, the Node rows cover on all five: CI budget); the full matrix
// (PTHREAD_DYLINK_FULL_MATRIX=1) or a named selection (PTHREAD_DYLINK_TOOLCHAINS) every one.
const supported = c.selectToolchains().toolchains.filter((t) => shapeFor(t).supported).sort((a, b) => versionNumber(a) - versionNumber(b));
const everyToolchain = process.env.PTHREAD_DYLINK_FULL_MATRIX === '1' || process.env.PTHREAD_DYLINK_TOOLCHAINS;
const toolchains = everyToolchain ? supported : supported.filter((t) => t === c.newestSupported(supported));
// A scenario names the hosts it can run on (scenario.json `hosts`, with `hostsWhy`): 'chromium'
// stands for every browser (one web build).
const scenarios = c.listScenarios().filter((s) => !s.hosts || s.hosts.includes(BUILD_HOST));
const rows = [];
const launched = {};
let server;
// One browser per engine for the whole suite, started when its first rows run.
const engine = async (id) => (launched[id] ??= ENGINES[id].launch());

beforeAll(async () => {
  server = await browser.startServer(path.join(c.REPO, 'build'));
});

afterAll(async () => {
  for (const b of Object.values(launched)) await (await b.catch(() => null))?.close();
  await server?.close();
  for (const host of Object.keys(ENGINES)) {
    await c.writeReportRows(rows.filter((r) => r.host === host), { host, toolchains });
  }
  process.stdout.write(c.formatRows(rows));
});

if (toolchains.length === 0) {
  test('a toolchain the plugin supports is installed', () => {
    throw new Error('no supported emscripten toolchain installed: run `npm run setup` (tools/setup) first');
  });
}

const runs = Object.keys(ENGINES).flatMap((host) => toolchains.map((toolchain) => [host, toolchain]));
describe.each(runs)('%s, toolchain %s', (host, toolchain) => {
  const jobs = [];
  for (const scenario of scenarios) {
    for (const mode of c.modesFor(ENGINES[host].modes, toolchain)) {
      jobs.push({ toolchain, scenario, mode, variant: c.scenarioVariant(c.DEFAULT_VARIANT, scenario), host: BUILD_HOST });
    }
  }
  const results = new Map();

  beforeAll(async () => {
    // Builds two at a time; the browser runs one page at a time so timing-bound scenarios (S11's
    // bounded waits) do not compete with each other for the two cores.
    const built = await c.pool(jobs, 2, async (job) => {
      try {
        return { dir: await c.buildScenario(job) };
      } catch (e) {
        return { error: e.summary || e.message.split('\n').slice(0, 4).join(' ').slice(0, 400) };
      }
    });
    for (const [i, job] of jobs.entries()) {
      let row;
      if (built[i].error) {
        row = { result: 'build-error', detail: built[i].error, seconds: 0 };
      } else {
        const r = await browser.runScenarioInBrowser({
          browser: await engine(host), server, dir: built[i].dir, sideModules: Object.keys(job.scenario.sides), ...c.scenarioExpectations(job.scenario, job.mode),
        });
        row = { result: r.result, detail: r.detail, evidence: r.evidence, seconds: r.seconds };
      }
      const exp = expectedOutcome(toolchain, job.scenario.id, job.mode);
      const full = {
        host, toolchain, scenario: job.scenario.id, title: job.scenario.title, mode: job.mode,
        variant: c.variantName(job.variant), ...row,
        expected: exp.assert ? exp.allowed?.join('|') ?? exp.result : 'any', reason: exp.reason || '',
      };
      results.set(job, full);
      rows.push(full);
      process.stderr.write(`[browser ${rows.length}] ${host} ${toolchain} ${job.scenario.id} ${job.mode}: ${row.result} (${row.seconds.toFixed(1)} s)\n`);
    }
  }, 40 * 60 * 1000);

  test.each(jobs.map((j) => [j.scenario.id, j.mode, j]))('%s %s', (id, mode, job) => {
    checkRow(results.get(job), expectedOutcome(toolchain, id, mode), { id, mode, where: `${id} ${mode} in ${ENGINES[host].name} on ${toolchain}` });
  });
});

// The demo a person would open (npm run demo): one press of its button, in both builds, in each
// engine; a screenshot per engine in build/browser/demo-ENGINE.png.
const demoToolchain = toolchains.includes(demo.DEFAULT_TOOLCHAIN) ? demo.DEFAULT_TOOLCHAIN : toolchains[0];
const demoTest = demoToolchain ? test.each(Object.keys(ENGINES)) : test.skip.each(Object.keys(ENGINES)); // no toolchain: the suite already failed above
demoTest(`demo page (${demoToolchain}) in %s: the pthread runs the named function with the plugin, not with stock; a screenshot`, async (host) => {
  const dir = await demo.buildDemo(demoToolchain);
  const screenshot = path.join(c.REPO, 'build', 'browser', `demo-${host}.png`);
  const result = await demo.pressDemo({ browser: await engine(host), server, dir, screenshot });
  expect(result.plugin.length).toBe(6);
  for (const row of result.plugin) expect({ name: row.name, main: row.main, pthread: row.pthread }).toEqual({ name: row.name, main: row.name, pthread: row.name });
  // The control: the same press on the stock build shows the bug (and the main thread is right).
  for (const row of result.stock) expect(row.main).toBe(row.name);
  expect(result.stock.filter((row) => row.pthread !== row.name).length).toBeGreaterThan(0);
  expect(fs.statSync(screenshot).size).toBeGreaterThan(10000);
}, 10 * 60 * 1000);
