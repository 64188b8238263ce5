'use strict';
// The peer suite: emscripten's own pthreads + dynamic-linking tests, run by emscripten's own
// test/runner.py inside each toolchain root (tools/setup prepares the tree), once on stock
// emscripten and once with the plugin in every link: tools/peer-python, as EMSDK_PYTHON, adds
// --js-library to each emcc/em++ link (side-module links emit no JS, so the library only acts on
// main modules; every mode's links also get -Wno-version-check, see tools/peer-python). Nothing of
// emscripten's is edited. On 6.0.8 a third mode, upstream-patched, runs
// the same tests in the copy tools/upstream made with upstream/emscripten-6.0.8.patch applied, and
// the tests that patch adds (test_pthread_dlopen_table_gap, test_pthread_dlopen_main_joins,
// missing from the other trees).
//   npm run peer            the full selection, plus test_pthread_dlopen_many 20 times per mode
//   npm run peer -- --fast  the subset npm test runs (jest/peer.test.js)
//   npm run peer -- --toolchains 5.0.3,6.0.8 --flaky-runs 10   some toolchains (each installed), N runs
// Writes build/peer/report.json: one row per {toolchain, test, mode, result, seconds}, keeping the
// rows of toolchains a run did not run.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const c = require('./conformance');

const OUT = path.join(c.REPO, 'build', 'peer');
const EM = path.join(c.REPO, 'tools', 'em');
const LIBRARY = path.join(c.REPO, 'library_pthread_dylink.js');

// Known flaky upstream (emscripten issue #18844, "function table mirror is out of date"): run
// separately, many times, and reported as a failure rate per mode.
const FLAKY = 'core0.test_pthread_dlopen_many';
const FULL = [
  'core0.test_pthread_dylink*', 'core0.test_pthread_dlopen*', 'core0.test_pthread_dlsym*',
  'core2.test_pthread_dylink*', 'core2.test_pthread_dlopen*', 'core2.test_pthread_dlsym*',
  'other.test_dylink_pthread*',
  `skip:${FLAKY}`, 'skip:core2.test_pthread_dlopen_many',
];
const FAST = ['core0.test_pthread_dylink_basics', 'core0.test_pthread_dlopen', 'core0.test_pthread_dlsym',
  'core2.test_pthread_dlsym', 'other.test_dylink_pthread_static_data'];
// The tests upstream/emscripten-6.0.8.patch adds: only the patched tree has them.
const UPSTREAM_TESTS = ['core0.test_pthread_dlopen_table_gap', 'core0.test_pthread_dlopen_main_joins'];
// Per mode: environment for the runner (kept by tools/em: PTHREAD_DYLINK_*), a prefix for its
// command, whether it runs in the upstream-patched tree (else the toolchain's test tree,
// `tools/em --peer-dir`), and what a probe link must contain (see runtimeLinkedIn).
const PYTHON = `EMSDK_PYTHON=${path.join(c.REPO, 'tools', 'peer-python')}; export EMSDK_PYTHON; `;
const MODES = {
  stock: { env: {}, prefix: PYTHON, marker: null },
  plugin: { env: { PTHREAD_DYLINK_PEER_LIBRARY: LIBRARY }, prefix: PYTHON, marker: 'pthreadDylink.install(' },
  'upstream-patched': { env: {}, prefix: PYTHON, upstream: true, marker: 'TableSync.allocate(', only: c.UPSTREAM_TOOLCHAIN, extra: UPSTREAM_TESTS },
};
const MARKERS = Object.values(MODES).map((m) => m.marker).filter(Boolean);
const modesFor = (toolchain) => Object.keys(MODES).filter((m) => !MODES[m].only || MODES[m].only === toolchain);

async function treeOf(toolchain, mode) {
  if (MODES[mode].upstream) return c.upstreamTree(toolchain);
  return execFileSync(EM, ['--peer-dir', toolchain], { encoding: 'utf8' }).trim();
}

// `command` run in a mode's emscripten tree inside the toolchain's root, the way that mode's
// runner and its probe link must both see it: the mode's environment and prefix, and npm's closure
// compiler for the core2 tests' --closure links (Debian ships none).
async function inMode(toolchain, mode, command, extraEnv = {}) {
  const env = { ...process.env, ...MODES[mode].env, EM_CLOSURE_COMPILER: c.CLOSURE_COMPILER, ...extraEnv };
  // A temp directory of its own: the runner deletes every emscripten_temp_* in its TEMP_DIR at
  // start, which in the shared /tmp of a root broke the conformance suite's links running there.
  const tmp = `/tmp/pthread-dylink-peer-${mode}`;
  return runWithEnv(EM, [toolchain, 'sh', '-c',
    `mkdir -p ${tmp} && export TMPDIR=${tmp} && cd ${await treeOf(toolchain, mode)} && ${MODES[mode].prefix}${command} 2>&1`], env);
}


// Sequential runner output: `test_x (test_core.core0.test_x) ... ` then whatever the test printed
// (compiler errors, node's stack), then its verdict: `ok (3.14s)`, `FAIL`, `ERROR`, `skipped '…'`,
// on the same line when nothing was printed. 6.x prefixes `[3/24] ` (or `[3/24-1] `). Everything
// is listed again at the end; callers keep the first record of each test.
const START = /^(?:\[\d+\/\d+(?:-\d+)?\] )?(test_\w+) \(test_\w+\.(\w+)\.test_\w+\) \.\.\. ?(.*)$/;
const VERDICT = /^(ok|FAIL|ERROR|skipped|expected failure|unexpected success)(?: '([^']*)')?(?: \(([\d.]+)s\))?\s*$/;
const WHY = /^(FileNotFoundError|AssertionError|[\w.]*Error\b|emcc: error|error:|wasm-ld[\w-]*: error|Aborted|RuntimeError)/;

// times (optional): when each line arrived, in ms; used where the runner prints no durations (6.x).
function parse(output, times = null) {
  const results = [];
  let current = null;
  let at = 0;
  const finish = (v, lines) => {
    const trimmed = lines.map((l) => l.trim()).filter(Boolean);
    const why = trimmed.find((l) => WHY.test(l));
    const failed = !['ok', 'skipped'].includes(v[1]);
    results.push({
      test: current.test,
      result: v[1] === 'ok' ? 'pass' : v[1] === 'skipped' ? 'skipped' : 'fail',
      note: v[2] || '',
      seconds: v[3] ? Number(v[3]) : times ? Math.round(times[at] - current.startedAt) / 1000 : null,
      reason: failed ? (why || trimmed.pop() || '').slice(0, 300) : '',
    });
    current = null;
  };
  const lines = output.split('\n');
  for (at = 0; at < lines.length; at++) {
    const line = lines[at];
    const start = line.match(START);
    if (start) {
      current = { test: `${start[2]}.${start[1]}`, lines: [], startedAt: times ? times[at] : 0 };
      const v = start[3].match(VERDICT);
      if (v) finish(v, []);
      else if (start[3]) current.lines.push(start[3]);
      continue;
    }
    if (!current) continue;
    const v = line.match(VERDICT);
    if (v) finish(v, current.lines);
    else current.lines.push(line);
  }
  return results;
}

async function runner(toolchain, mode, selectors, extraArgs = []) {
  const quoted = [...extraArgs, ...selectors].map((s) => `'${s}'`).join(' ');
  const log = path.join(OUT, `links-${toolchain}-${mode}.log`);
  fs.mkdirSync(OUT, { recursive: true });
  fs.rmSync(log, { force: true });
  const r = await inMode(toolchain, mode, `"$EMSDK_PYTHON" test/runner.py --cores 1 ${quoted}`, { PTHREAD_DYLINK_PEER_LOG: log });
  checkLinks(toolchain, mode, log);
  const results = parse(r.stdout, r.times);
  if (!results.length) {
    const missing = /can't cd|No such file or directory: 'test\/runner.py'|can't open file/.test(r.stdout);
    throw new Error(missing ? `emscripten's test tree is missing in the ${toolchain} root: run \`npm run setup\``
      : `emscripten's test runner printed no results on ${toolchain} (${mode}):\n${r.stdout.slice(-2000)}`);
  }
  return { results, output: r.stdout };
}

// The links the runner made went through tools/peer-python, with the library exactly in the plugin
// mode (emscripten's config.py resets EMSDK_PYTHON: a mode can silently fall back to stock).
function checkLinks(toolchain, mode, log) {
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  const withLibrary = lines.filter((l) => l.includes('with-library')).length;
  const want = mode === 'plugin' ? lines.length : 0;
  if (!lines.length || withLibrary !== want) {
    throw new Error(`[peer] ${toolchain} ${mode}: the runner made ${lines.length} links through tools/peer-python, ` +
      `${withLibrary} with the library (expected ${mode === 'plugin' ? 'all' : 'none'} of at least one)`);
  }
}

// Also notes when each line arrived (times[i] for line i), to time tests the runner does not time.
function runWithEnv(cmd, args, env) {
  const { spawn } = require('child_process');
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: c.REPO, env });
    let stdout = '';
    const times = [Date.now()];
    const take = (d) => {
      const text = String(d);
      stdout += text;
      for (const ch of text) if (ch === '\n') times.push(Date.now());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolve({ code, stdout, times }));
  });
}

// A mode that silently did not apply its fix would pass everything: link one program through the
// tree's emcc the way the runner does, and see which fix (if any) the output carries.
async function runtimeLinkedIn(toolchain, mode) {
  const dir = path.join(OUT, 'probe', toolchain, mode);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  fs.rmSync(path.join(dir, 'main.js'), { force: true });
  const r = await inMode(toolchain, mode, `./emcc -pthread -sMAIN_MODULE=2 ${dir}/main.c -o ${dir}/main.js`);
  if (!fs.existsSync(path.join(dir, 'main.js'))) throw new Error(`[peer] probe link failed on ${toolchain} (${mode}):\n${r.stdout.slice(-1500)}`);
  const js = fs.readFileSync(path.join(dir, 'main.js'), 'utf8');
  return MARKERS.filter((m) => js.includes(m));
}

// One row per test and mode (the first result line of each test: the one with its time).
async function suite(toolchain, selectors) {
  const rows = [];
  for (const mode of modesFor(toolchain)) {
    const found = await runtimeLinkedIn(toolchain, mode);
    const want = MODES[mode].marker ? [MODES[mode].marker] : [];
    if (found.join() !== want.join()) {
      throw new Error(`[peer] ${toolchain} ${mode}: a probe link carries [${found.join(', ')}], expected [${want.join(', ')}]; the mode is not what it says`);
    }
    const wanted = [...selectors, ...(MODES[mode].extra || [])];
    process.stderr.write(`[peer] ${toolchain} ${mode}: ${wanted.filter((s) => !s.startsWith('skip:')).join(' ')}\n`);
    const { results } = await runner(toolchain, mode, wanted);
    const seen = new Set();
    for (const r of results) {
      if (seen.has(r.test)) continue;
      seen.add(r.test);
      rows.push({ toolchain, test: r.test, mode, result: r.result, seconds: r.seconds, reason: r.result === 'fail' ? r.reason : r.note });
    }
  }
  return rows;
}

async function flakeRate(toolchain, runs) {
  const rates = [];
  for (const mode of modesFor(toolchain)) {
    process.stderr.write(`[peer] ${toolchain} ${mode}: ${FLAKY} x${runs}\n`);
    const { results } = await runner(toolchain, mode, [FLAKY], ['--repeat', String(runs)]);
    // The summary at the end lists the runs again: count the first `runs` records.
    const counted = results.filter((r) => r.test === FLAKY).slice(0, runs);
    const failures = counted.filter((r) => r.result === 'fail').length;
    rates.push({ toolchain, test: FLAKY, mode, runs: counted.length, failures, rate: counted.length ? failures / counted.length : null, reason: counted.find((r) => r.result === 'fail')?.reason || '' });
  }
  return rates;
}

// Tests that pass on stock but not with a fix (the plugin, or the upstream patch where it ran),
// and tests a mode adds for itself (extra) that do not pass there.
function regressions(rows) {
  const byKey = new Map(rows.map((r) => [`${r.toolchain}|${r.test}|${r.mode}`, r]));
  const fixModes = (t) => [...new Set(rows.filter((r) => r.toolchain === t && r.mode !== 'stock').map((r) => r.mode))];
  const lost = rows.filter((r) => r.mode === 'stock' && r.result === 'pass')
    .flatMap((r) => (fixModes(r.toolchain).length ? fixModes(r.toolchain) : ['plugin'])
      .map((mode) => byKey.get(`${r.toolchain}|${r.test}|${mode}`) || { ...r, mode, result: 'missing' }))
    .filter((p) => p.result !== 'pass');
  const ownTests = Object.entries(MODES).flatMap(([mode, m]) => (m.extra || []).map((test) => ({ mode, test })));
  const ownFailing = rows.filter((r) => ownTests.some((o) => o.mode === r.mode && o.test === r.test) && r.result !== 'pass');
  return [...lost, ...ownFailing];
}

// The fast subset (npm test) runs on Pyodide's 5.0.3 and the newest toolchain; the full selection
// (npm run peer) on every supported one.
function defaultToolchains(fast) {
  const supported = c.supportedToolchains();
  return fast ? supported.filter((t) => t === '5.0.3' || t === c.newestSupported(supported)) : supported;
}

async function run({ fast = false, flakyRuns = 20, toolchains = defaultToolchains(fast) } = {}) {
  const rows = [];
  const flaky = [];
  for (const t of toolchains) {
    rows.push(...await suite(t, fast ? FAST : FULL));
    if (!fast) flaky.push(...await flakeRate(t, flakyRuns));
  }
  const generated = new Date().toISOString();
  const report = { generated, fast, toolchains, flakyRuns: fast ? 0 : flakyRuns, rows, flaky, regressions: [...regressions(rows), ...flakierThanStock(flaky)] };
  writeReport(fast ? 'report-fast.json' : 'report.json', report);
  return report;
}

// A fix that fails the flaky test more often than stock did in the same run is a regression too
// (found this way: the upstream patch at first failed it 10/10; stock 0/10).
function flakierThanStock(flaky) {
  return flaky.filter((f) => f.mode !== 'stock' &&
    f.failures > (flaky.find((s) => s.toolchain === f.toolchain && s.mode === 'stock')?.failures ?? 0));
}

// The file keeps the rows of the toolchains this run did not run (a run of some toolchains adds to
// the last picture of the others instead of dropping it); `ran` says when each toolchain's rows
// were measured.
function writeReport(name, report) {
  const file = path.join(OUT, name);
  let previous = {};
  try { previous = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* the first run */ }
  const others = (list) => (list || []).filter((r) => !report.toolchains.includes(r.toolchain));
  const rows = [...others(previous.rows), ...report.rows];
  const flaky = [...others(previous.flaky), ...report.flaky];
  const ran = {};
  for (const r of others(previous.rows)) ran[r.toolchain] = previous.ran?.[r.toolchain] || { generated: previous.generated, flakyRuns: previous.flakyRuns };
  for (const t of report.toolchains) ran[t] = { generated: report.generated, flakyRuns: report.flakyRuns };
  const merged = { generated: report.generated, fast: report.fast, ran, rows, flaky, regressions: [...regressions(rows), ...flakierThanStock(flaky)] };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(merged, null, 2));
}

function table(report) {
  const keys = [...new Set(report.rows.map((r) => `${r.toolchain}|${r.test}`))];
  const lines = keys.map((key) => {
    const [toolchain, test] = key.split('|');
    const of = (mode) => report.rows.find((r) => r.toolchain === toolchain && r.test === test && r.mode === mode);
    const cells = modesFor(toolchain).map((mode) => `${mode} ${(of(mode)?.result || 'missing').padEnd(7)}`).join(' ');
    const bad = modesFor(toolchain).map(of).find((r) => r?.result === 'fail');
    return `${toolchain.padEnd(7)} ${test.padEnd(50)} ${cells}${bad ? `  (${bad.mode}: ${bad.reason})` : ''}`.slice(0, 260);
  });
  for (const f of report.flaky) lines.push(`${f.toolchain.padEnd(7)} ${f.test} ${f.mode}: ${f.failures}/${f.runs} failed${f.reason ? ` (${f.reason.slice(0, 120)})` : ''}`);
  lines.push(`regressions (pass on stock, not with a fix; or a fix's own test failing): ${report.regressions.length}`);
  return lines.join('\n');
}

module.exports = { run, table, parse, regressions, flakeRate, FAST, FULL, FLAKY };

// `--name value` from the command line, or undefined.
function option(name) {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`tools/peer.js: ${name} needs a value`);
  return value;
}

function cliOptions() {
  const options = { fast: process.argv.includes('--fast') };
  const toolchains = option('--toolchains');
  if (toolchains !== undefined) {
    options.toolchains = toolchains.split(',');
    const supported = c.supportedToolchains();
    const unknown = options.toolchains.filter((t) => !supported.includes(t));
    if (unknown.length) {
      throw new Error(`tools/peer.js: --toolchains ${unknown.join(',')}: not an installed toolchain the plugin supports ` +
        `(those: ${supported.join(', ') || 'none'}; tools/em --list shows what is installed)`);
    }
  }
  const runs = option('--flaky-runs');
  if (runs !== undefined) {
    options.flakyRuns = Number(runs);
    if (!Number.isInteger(options.flakyRuns) || options.flakyRuns < 1) throw new Error(`tools/peer.js: --flaky-runs ${runs}: not a positive whole number`);
  }
  return options;
}

if (require.main === module) {
  let options;
  try {
    options = cliOptions();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const fast = options.fast;
  run(options).then((report) => {
    process.stdout.write(`${table(report)}\nreport: build/peer/${fast ? 'report-fast.json' : 'report.json'}\n`);
    process.exitCode = report.regressions.length ? 1 : 0;
  }).catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exitCode = 2; });
}
