'use strict';
// Builds and runs the C/C++ conformance scenarios in cpp-tests/ with one toolchain and one mode.
// Used by the Jest suite (jest/conformance.test.js) and by the benchmarks; nothing here asserts.
const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { versionNumber, MIN_VERSION, shapeFor } = require('../src/versions.js');

const REPO = path.resolve(__dirname, '..');
const TESTS = path.join(REPO, 'cpp-tests');
const OUT = path.join(REPO, 'build', 'conformance');
const EM = path.join(REPO, 'tools', 'em');
const LIBRARY = path.join(REPO, 'library_pthread_dylink.js');
const PATCH_CLI = path.join(REPO, 'dist', 'cli.js');
// npm's closure compiler (a devDependency: Debian's emscripten ships none), for emcc's
// EM_CLOSURE_COMPILER; the toolchain roots see the repo at its own path.
const CLOSURE_COMPILER = path.join(REPO, 'node_modules', '.bin', 'google-closure-compiler');

// The JS library functions every main module links in, so scenarios can call them from EM_ASM.
// 3.1.6 (older than any version the plugin supports) has addFunction in its runtime rather than
// as a library symbol.
function includedLibraryFuncs(toolchain) {
  return versionNumber(toolchain) < versionNumber(MIN_VERSION) ? ['$loadDynamicLibrary'] : ['$addFunction', '$removeFunction', '$loadDynamicLibrary'];
}

// How a build differs from the default one (-O2, assertions off, MAIN_MODULE=1).
const DEFAULT_VARIANT = { opt: 'O2', assertions: 0, mainModule: 1 };

// The sets of system libraries setup builds ahead for a toolchain (the table's `warm`): 'pic'
// (the default variant's), 'debug' (-O0's ASSERTIONS ones), 'plain' (non-PIC, non-pthread).
function warmedLibraries(toolchain) {
  return execFileSync(EM, ['--warm', toolchain], { encoding: 'utf8' }).trim().split(/\s+/);
}

function installedToolchains() {
  return execFileSync(EM, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

// The installed toolchains the plugin supports (src/versions.js: the one oracle), oldest first.
function supportedToolchains() {
  return installedToolchains().filter((t) => shapeFor(t).supported);
}

// The newest of `toolchains` the plugin supports (where npm test runs the variants and suites it
// runs on one toolchain only), or undefined.
function newestSupported(toolchains = installedToolchains()) {
  return toolchains.filter((t) => shapeFor(t).supported).sort((a, b) => versionNumber(b) - versionNumber(a))[0];
}

// Every toolchain tools/setup can install (tools/toolchains.sh).
function knownToolchains() {
  return execFileSync(EM, ['--known'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

// The toolchains a suite runs, and those it was asked for (PTHREAD_DYLINK_TOOLCHAINS=6.0.5,5.0.3)
// or must have (PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS=1, set by .ci/run) that are not installed:
// each of those is a failure, never a quiet skip. Unknown names are an error.
function selectToolchains(env = process.env) {
  const known = knownToolchains();
  const wanted = env.PTHREAD_DYLINK_TOOLCHAINS ? env.PTHREAD_DYLINK_TOOLCHAINS.split(',').map((t) => t.trim()).filter(Boolean) : null;
  const unknown = (wanted || []).filter((t) => !known.includes(t));
  if (unknown.length) throw new Error(`PTHREAD_DYLINK_TOOLCHAINS names unknown toolchains ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const installed = installedToolchains();
  const required = wanted || (env.PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS === '1' ? known : []);
  return {
    toolchains: installed.filter((t) => !wanted || wanted.includes(t)),
    missingRequired: required.filter((t) => !installed.includes(t)),
    notInstalled: known.filter((t) => !installed.includes(t) && !(wanted && !wanted.includes(t))),
  };
}

// Every scenario declares how many checks a complete run records (`checks`; with `expectError`,
// those before the error): a run that stops early cannot pass on the checks it made.
// PTHREAD_DYLINK_SCENARIOS=S8,S15 runs only those (a scenario being written; never under CI).
function listScenarios(env = process.env) {
  const only = env.PTHREAD_DYLINK_SCENARIOS?.split(',');
  if (only && env.PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS === '1') {
    throw new Error('PTHREAD_DYLINK_SCENARIOS selects part of the suite, and CI (PTHREAD_DYLINK_REQUIRE_ALL_TOOLCHAINS=1) runs all of it');
  }
  return fs.readdirSync(TESTS)
    .filter((d) => fs.existsSync(path.join(TESTS, d, 'scenario.json')))
    .sort()
    .map((dir) => {
      const scenario = { id: dir.split('_')[0].toUpperCase(), dir, ...readJson(path.join(TESTS, dir, 'scenario.json')) };
      if (!Number.isInteger(scenario.checks) || scenario.checks < 1) {
        throw new Error(`cpp-tests/${dir}/scenario.json: "checks" must say how many checks a complete run records`);
      }
      return scenario;
    })
    .filter((s) => !only || only.includes(s.id));
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// A build variant's name in report rows: O2-a0-mm1, O2-a0-mm1-grow (ALLOW_MEMORY_GROWTH),
// O2-a0-mm1-m64 (MEMORY64), O2-a0-mm1-closure (the main module linked with --closure 1).
function variantName(v) {
  return `${v.opt}-a${v.assertions}-mm${v.mainModule}${v.growth ? '-grow' : ''}${v.memory64 ? '-m64' : ''}${v.closure ? '-closure' : ''}`;
}

// What a scenario fixes of the variant (S13 is about MAIN_MODULE=2 builds): applied when jobs
// are made, so rows name the build that ran.
function scenarioVariant(variant, scenario) {
  return { ...variant, ...scenario.variant };
}

function hashFiles(files, extra) {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify(extra));
  for (const f of files) {
    h.update(f);
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

// Each child gets a process group of its own: tools/em runs node inside unshare + chroot, and a
// timeout must kill that node too, not just the wrapper.
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd || REPO, detached: true, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = opts.timeoutMs && setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, opts.timeoutMs);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function commonCompileFlags(variant) {
  return [`-${variant.opt}`, '-pthread', '-D_GNU_SOURCE', `-sASSERTIONS=${variant.assertions}`,
    ...(variant.growth ? ['-sALLOW_MEMORY_GROWTH'] : []), ...(variant.memory64 ? ['-sMEMORY64'] : [])];
}

// emscriptenDir: another emscripten tree inside the toolchain's root (the upstream-patched one).
const isCxxSource = (file) => /\.(cpp|cc)$/.test(file);
async function emcc(toolchain, args, cwd, emscriptenDir, { cxx = false } = {}) {
  const isCxx = cxx || args.some(isCxxSource);
  const driver = (emscriptenDir ? `${emscriptenDir}/` : '') + (isCxx ? 'em++' : 'emcc');
  const r = await run(EM, [toolchain, driver, ...args], { cwd, env: { EM_CLOSURE_COMPILER: CLOSURE_COMPILER } });
  if (r.code !== 0) {
    const lines = (r.stderr + r.stdout).split('\n').filter((l) => l.trim() && !/experimental|not yet stable/.test(l));
    const err = new Error(`${isCxx ? 'em++' : 'emcc'} ${args.join(' ')} failed:\n${lines.join('\n')}`);
    // What a report row shows: the compiler's first error, not the command line.
    // (Our own refusal first: inside a --js-transform it is followed by emcc's "… failed".)
    const ours = lines.find((l) => /pthread-dylink.*(error|not patched)/.test(l));
    err.summary = (ours || lines.find((l) => /error/i.test(l)) || lines[0] || 'failed with no output').trim().slice(0, 300);
    throw err;
  }
}

// Where a build runs. 'node': the toolchain's node, side modules read from the real disk
// (NODERAWFS). 'chromium': a browser page (tools/browser.js) over HTTP; side modules are fetched
// into MEMFS before main() (browser.pre.js), pthreads' workers fetch them again by URL, and every
// thread a scenario needs is a pool worker: the browser's main thread cannot block in
// pthread_join while a new worker starts (the start needs that thread's event loop).
const ABORT_REASON_PRE_JS = path.join(TESTS, 'harness', 'abort-reason.pre.js');
const HOSTS = {
  node: { dirSuffix: '', linkFlags: ['-sNODERAWFS'], pool: (s) => s.pool || 0, preJs: [ABORT_REASON_PRE_JS] },
  chromium: {
    dirSuffix: '-chromium',
    linkFlags: ['-sENVIRONMENT=web,worker'],
    pool: (s) => s.browserPool ?? s.pool ?? 0,
    preJs: [path.join(TESTS, 'harness', 'browser.pre.js'), ABORT_REASON_PRE_JS],
  },
};

// Build one scenario. Returns the directory holding main.js and the side modules.
// mode: 'stock' (plain emscripten), 'plugin' (linked with --js-library), 'postlink' (the stock
// build, copied and then patched by `pthread-dylink patch`: the route for builds one cannot relink),
// 'jstransform' (emcc runs `pthread-dylink patch` on its output inside the link: --js-transform),
// or 'upstream-patched' (no plugin: emscripten with upstream/emscripten-6.0.8.patch applied, 6.0.8 only).
// host: a key of HOSTS.
async function buildScenario({ toolchain, scenario, mode, variant = DEFAULT_VARIANT, host = 'node' }) {
  if (mode === 'postlink') return patchedCopy(await buildScenario({ toolchain, scenario, mode: 'stock', variant, host }));
  const hostSpec = HOSTS[host];
  if (!hostSpec) throw new Error(`unknown host ${host}: one of ${Object.keys(HOSTS).join(', ')}`);
  const srcDir = path.join(TESTS, scenario.dir);
  const sideDir = path.join(OUT, toolchain, 'sides', variantName(variant), scenario.dir);
  const outDir = path.join(OUT, toolchain, `${mode}-${variantName(variant)}${hostSpec.dirSuffix}`, scenario.dir);
  const harness = [path.join(TESTS, 'harness', 'pd_check.h')];
  const sideFiles = Object.values(scenario.sides).flat().map((f) => path.join(srcDir, f));
  const mainFiles = scenario.main.map((f) => path.join(srcDir, f));
  // The headers beside every source (a scenario may build another's sources: S19 S18's).
  const headers = headersBeside([srcDir, ...[...sideFiles, ...mainFiles].map((f) => path.dirname(f))]);
  const thirdParty = thirdPartyDirs(scenario);
  const flags = commonCompileFlags(variant);

  // Side modules do not depend on the mode: built once per toolchain and variant.
  const thirdPartyHeaders = headersBeside(thirdParty);
  const sideKey = hashFiles([...sideFiles, ...harness, ...headers, ...thirdPartyHeaders], { toolchain, flags });
  await buildOnce(sideDir, sideKey, async () => {
    for (const [so, srcs] of Object.entries(scenario.sides)) {
      await emcc(toolchain, [...flags, ...thirdParty.map((d) => `-I${d}`), '-sSIDE_MODULE=1', ...srcs.map((s) => path.join(srcDir, s)), '-o', path.join(sideDir, so)], sideDir);
    }
  });

  const pluginFiles = { plugin: [LIBRARY], jstransform: [PATCH_CLI] }[mode] || [];
  const modeFlags = {
    plugin: [`--js-library=${LIBRARY}`],
    jstransform: [require('../index.js').jsTransformFlag()], // the flag users get: runs PATCH_CLI
  }[mode] || [];
  const preJs = [...hostSpec.preJs, ...(scenario.preJs ? [path.join(srcDir, scenario.preJs)] : [])];
  const emscriptenDir = mode === 'upstream-patched' ? await upstreamTree(toolchain) : undefined;
  if (emscriptenDir) pluginFiles.push(UPSTREAM_PATCH);
  const link = [
    ...flags, ...mainFiles,
    `-sMAIN_MODULE=${variant.mainModule}`, '-sALLOW_TABLE_GROWTH', '-sEXIT_RUNTIME', ...hostSpec.linkFlags,
    `-sPTHREAD_POOL_SIZE=${hostSpec.pool(scenario)}`,
    `-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=${includedLibraryFuncs(toolchain).join(',')}`,
    ...(scenario.linkSides ? Object.keys(scenario.sides) : []),
    // MAIN_MODULE=2 keeps only what something needs: the side modules go on the link line so
    // emcc keeps what they import from the main module (emscripten's own tests do so), and are
    // not loaded at start-up, so each scenario still loads them when and how it says.
    ...(variant.mainModule === 2 && !scenario.linkSides ? [...Object.keys(scenario.sides), '-sAUTOLOAD_DYLIBS=0'] : []),
    ...(scenario.linkFlags || []),
    ...(variant.closure ? ['--closure', '1'] : []),
    ...preJs.map((p) => `--pre-js=${p}`),
    ...modeFlags,
    '-o', path.join(outDir, 'main.js'),
  ];
  const mainKey = hashFiles([...mainFiles, ...harness, ...headers, ...pluginFiles, ...preJs], { toolchain, link, mode, sideKey, variant, scenario, host });
  await buildOnce(outDir, mainKey, async () => {
    for (const so of Object.keys(scenario.sides)) fs.copyFileSync(path.join(sideDir, so), path.join(outDir, so));
    // A C++ side module needs libc++ in the main module: em++ links it (emcc stopped doing so for
    // C mains in 6.0.6, DEFAULT_TO_CXX off).
    await emcc(toolchain, link, outDir, emscriptenDir, { cxx: sideFiles.some(isCxxSource) });
  });
  return outDir;
}

// Build into `dir` (emptied first) unless it already holds the build `key` names; one build per
// directory and key, shared by whoever asks. Jobs run two at a time, several modes share side
// modules, and a postlink job links the stock program while the stock job may be linking it
// (two links into one directory corrupt each other's output: "Fatal: error parsing wasm").
// Jest runs the Node and the browser suites in two processes that share side-module directories:
// a lock directory beside `dir` keeps one process from emptying what the other is copying.
const builds = new Map();
function buildOnce(dir, key, build) {
  const job = `${dir}|${key}`;
  if (!builds.has(job)) {
    builds.set(job, withDirLock(dir, async () => {
      if (fresh(dir, key)) return;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      await build();
      stamp(dir, key);
    }));
  }
  return builds.get(job);
}

async function withDirLock(dir, body) {
  const lock = `${dir}.lock`;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try { fs.mkdirSync(lock); break; } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than any build (a killed run's) is taken over.
      if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 15 * 60 * 1000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

// The patched copy of emscripten (tools/upstream prepare), made once per process.
// tools/upstream says which version the patch is for: the one place that names it.
const UPSTREAM_TOOLCHAIN = execFileSync(path.join(REPO, 'tools', 'upstream'), ['version'], { encoding: 'utf8' }).trim();
const UPSTREAM_PATCH = path.join(REPO, 'upstream', `emscripten-${UPSTREAM_TOOLCHAIN}.patch`);
// Of `modes`, those that exist for `toolchain`: upstream-patched only where the patch applies.
function modesFor(modes, toolchain) {
  return modes.filter((m) => m !== 'upstream-patched' || toolchain === UPSTREAM_TOOLCHAIN);
}
let upstreamReady = null;
async function upstreamTree(toolchain) {
  if (toolchain !== UPSTREAM_TOOLCHAIN) throw new Error(`upstream-patched mode exists for ${UPSTREAM_TOOLCHAIN} only, not ${toolchain}`);
  upstreamReady ??= run(path.join(REPO, 'tools', 'upstream'), ['prepare']).then((r) => {
    if (r.code !== 0) throw new Error(`tools/upstream prepare failed:\n${r.stderr}${r.stdout}`);
    return r.stdout.trim();
  });
  return upstreamReady;
}

async function patchedCopy(stockDir) {
  const outDir = stockDir.replace(/([/\\])stock-/, '$1postlink-');
  const key = hashFiles([path.join(stockDir, '.build-key'), PATCH_CLI], {});
  await buildOnce(outDir, key, async () => {
    fs.cpSync(stockDir, outDir, { recursive: true });
    const r = await run(process.execPath, [PATCH_CLI, 'patch', path.join(outDir, 'main.js')]);
    if (r.code !== 0) {
      const err = new Error(`pthread-dylink patch failed:\n${r.stderr}${r.stdout}`);
      err.summary = (r.stderr || r.stdout).trim().split('\n')[0].slice(0, 300);
      throw err;
    }
  });
  return outDir;
}

function headersBeside(dirs) {
  return [...new Set(dirs)].flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.h')).sort().map((f) => path.join(d, f)));
}

// The third-party code a scenario's side modules include (scenario.json "thirdParty": names of
// directories under ../shared/third_party, or PTHREAD_DYLINK_THIRD_PARTY), used in place: every
// toolchain root sees it at its own path (tools/toolchains.sh). Missing: the build fails, saying so.
let thirdPartyRoot;
function thirdPartyDirs(scenario) {
  if (!scenario.thirdParty) return [];
  thirdPartyRoot ??= execFileSync(EM, ['--third-party'], { encoding: 'utf8' }).trim();
  return scenario.thirdParty.map((name) => {
    const dir = path.join(thirdPartyRoot, name);
    if (!fs.existsSync(dir)) {
      const err = new Error(`${scenario.id} builds third-party code ${name}/ in place, and ${dir} does not exist: ` +
        'put ../shared/third_party beside the repo or set PTHREAD_DYLINK_THIRD_PARTY');
      err.summary = err.message;
      throw err;
    }
    return dir;
  });
}

function fresh(dir, key) {
  try { return fs.readFileSync(path.join(dir, '.build-key'), 'utf8') === key; } catch { return false; }
}
function stamp(dir, key) {
  fs.writeFileSync(path.join(dir, '.build-key'), key);
}

// How a run of `scenario` in `mode` is judged: { expectError, expectChecks, expectVerifier }.
// A scenario about the verify mode (`withoutVerifier`, S10) checks an error only a table
// verifier raises: stock emscripten has none, so its run is judged as the plain program (every
// probe must pass where the table bug is fixed); every other route must say it had one.
function scenarioExpectations(scenario, mode) {
  if (!scenario.withoutVerifier) return { expectError: scenario.expectError, expectChecks: scenario.checks };
  if (mode === 'stock') return { expectChecks: scenario.withoutVerifier.checks, expectVerifier: 'off' };
  return { expectError: scenario.expectError, expectChecks: scenario.checks, expectVerifier: 'on' };
}

// Run a built scenario under its toolchain's node. Never throws; classifies the outcome.
// expectError (a regex source, from scenario.json): the scenario is about an error the plugin must
// raise, and passes only if that error is printed.
// expectChecks (scenario.json `checks`): how many checks a complete run records; fewer (a load
// that failed and ended the run early) or more fails the row, whatever the checks said.
async function runScenario({ toolchain, dir, timeoutMs = 60000, ...expectations }) {
  const t0 = Date.now();
  const r = await run(EM, [toolchain, 'node', 'main.js'], { cwd: dir, timeoutMs });
  return { ...judgeRun(r, { timeoutMs, ...expectations }), seconds: (Date.now() - t0) / 1000, stdout: r.stdout, stderr: r.stderr };
}

// The verdict on one run, wherever it ran: r is { code, signal, stdout, stderr, timedOut } (the
// browser driver reports a page's exit code and output in the same shape).
// expectVerifier: 'on' or 'off', what the program's PDVERIFIER line must say (scenarioExpectations).
function judgeRun(r, { timeoutMs, expectError, expectChecks, expectVerifier }) {
  const checks = [];
  let verdict = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('PDCHECK ')) {
      try { checks.push(JSON.parse(line.slice(8))); } catch { /* a torn line is reported below */ }
    } else if (line.startsWith('PDRESULT ')) {
      verdict = line.slice(9).trim();
    }
  }
  const failed = checks.filter((c) => c.expected !== c.actual || c.error);
  let result;
  let detail;
  const verifier = r.stdout.match(/^PDVERIFIER (on|off)$/m)?.[1];
  const boundedHang = failed.find((c) => /\(hang\)$/.test(c.error));
  if (r.timedOut) {
    result = 'hang';
    detail = `no result within ${timeoutMs} ms; ${checks.length} checks printed`;
  } else if (boundedHang) {
    // A wait the program bounds itself (pd_join, a polled flag) ran out: it says "(hang)".
    result = 'hang';
    detail = `thread ${boundedHang.thread}, ${boundedHang.check}: ${boundedHang.error}; ${checks.length} checks printed`;
  } else if (expectVerifier && verifier && verifier !== expectVerifier) {
    result = 'fail';
    detail = `ran with its table verifier ${verifier}, but this route must ${expectVerifier === 'on' ? 'link one' : 'have none'}`;
  } else if (failed.length === 0 && expectChecks !== undefined && checks.length !== expectChecks) {
    result = 'fail';
    detail = `recorded ${checks.length} of its ${expectChecks} checks (the run ended early or went another way): ` +
      firstErrorLine(r.stderr + r.stdout);
  } else if (expectError) {
    ({ result, detail } = judgeExpectedError(expectError, r, checks, failed));
  } else if (verdict && verdict.startsWith('pass') && r.code === 0 && failed.length === 0) {
    result = 'pass';
    detail = `${checks.length} checks`;
  } else {
    result = 'fail';
    if (failed.length) {
      const c = failed[0];
      detail = `${failed.length}/${checks.length} checks failed; first: thread ${c.thread}, ${c.check}, slot ${c.slot}: ` +
        (c.error ? c.error : `expected function id ${c.expected}, got ${c.actual}`);
    } else {
      detail = `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} without a verdict: ${firstErrorLine(r.stderr + r.stdout)}`;
    }
  }
  return { result, detail, checks, evidence: result === 'pass' ? [] : evidence(failed, r) };
}

// What a failed run showed, for jest/expectations.js to judge whether it is the table bug: the
// first failed checks (a mismatch, or the error a probe caught) and the first error lines (the
// first one is often a consequence: "could not load dynamic lib", then the worker's table trap).
function evidence(failed, r) {
  return [
    ...failed.slice(0, 3).map((c) => (c.error ? `check ${c.check} in ${c.thread}: error: ${c.error}` :
      `check ${c.check} in ${c.thread}: mismatch: slot ${c.slot} expected function id ${c.expected}, got ${c.actual}`)),
    ...errorLines(r.stderr + r.stdout).slice(0, 6).map((l) => `output: ${l}`),
  ];
}

const ERROR_LINE = /^(\w*Error|Aborted|RuntimeError)\b|: \w*Error\b|failed|error/i;
function errorLines(text) {
  const errors = [...new Set(candidateLines(text).filter((l) => !l.startsWith('PDCHECK ') && ERROR_LINE.test(l)))];
  return errors.length ? errors.map((l) => l.slice(0, 300)) : [firstErrorLine(text)];
}

// The lines of output a person could quote: not blank, not a stack frame, and not the offending
// source line Node echoes, which in minified output is the whole program.
function candidateLines(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && l.length < 400 && !l.startsWith('at '));
}

// A scenario about an error the plugin must raise: it passes if every check printed before the
// error passed (a false alarm stops the run early with the same kind of message) and the error
// was printed.
function judgeExpectedError(expectError, r, checks, failed) {
  const m = (r.stdout + r.stderr).match(new RegExp(expectError));
  if (m && checks.length > 0 && failed.length === 0) return { result: 'pass', detail: `${checks.length} checks, then raised: ${m[0]}` };
  const first = failed[0];
  const got = failed.length
    ? `${failed.length}/${checks.length} failed checks, first: ${first.check}: expected ${first.expected}, got ${first.actual} ${first.error}`
    : checks.length === 0 ? `no checks printed, exit ${r.code}: ${firstErrorLine(r.stderr + r.stdout)}`
      : `exit ${r.code}: ${firstErrorLine(r.stderr + r.stdout)}`;
  return { result: 'fail', detail: `expected passing checks, then an error matching /${expectError}/; got ${got}${m ? ' (and the error)' : ''}` };
}

// The line a person would quote: the first error or abort, not a stack frame.
function firstErrorLine(text) {
  const lines = candidateLines(text);
  const line = lines.find((l) => /^(\w*Error|Aborted|RuntimeError)\b|: \w*Error\b|failed/.test(l)) || lines.slice(-1)[0] || '(no output)';
  return line.slice(0, 300);
}

// One report for every suite that writes rows (the Node suite and the browser suite run at the same
// time under Jest): a writer replaces only its own host's rows of the toolchains it ran, under a
// lock, so a partial run keeps the others' rows.
async function writeReportRows(rows, { host, toolchains }) {
  const file = path.join(OUT, 'report.json');
  const lock = `${file}.lock`;
  fs.mkdirSync(OUT, { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try { fs.mkdirSync(lock); break; } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (waited > 60000) throw new Error(`${lock} held for a minute: remove it if no test run is writing the report`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    let previous = [];
    try { previous = JSON.parse(fs.readFileSync(file, 'utf8')).rows || []; } catch { /* first run */ }
    const kept = previous.filter((r) => (r.host || 'node') !== host || !toolchains.includes(r.toolchain));
    const key = (r) => `${r.host || 'node'} ${r.toolchain} ${r.scenario} ${r.mode} ${r.variant}`;
    const all = [...kept, ...rows].sort((a, b) => key(a).localeCompare(key(b)));
    fs.writeFileSync(file, JSON.stringify({ generated: new Date().toISOString(), rows: all }, null, 2));
  } finally {
    fs.rmdirSync(lock);
  }
}

// The table a suite prints at its end.
function formatRows(list) {
  const lines = list.map((r) => `${r.host.padEnd(8)} ${r.toolchain.padEnd(7)} ${r.scenario.padEnd(3)} ${r.mode.padEnd(16)} ${r.variant.padEnd(11)} ${r.result.padEnd(11)} ${r.expected.padEnd(6)} ${r.detail}`.slice(0, 230));
  return `\nconformance (${list.length} rows; report: build/conformance/report.json)\n${lines.join('\n')}\n`;
}

// Run async jobs with at most `limit` at a time (2 cores: more does not help).
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

module.exports = {
  REPO, OUT, DEFAULT_VARIANT, CLOSURE_COMPILER, includedLibraryFuncs, UPSTREAM_TOOLCHAIN, UPSTREAM_PATCH, upstreamTree, modesFor,
  HOSTS, installedToolchains, warmedLibraries, supportedToolchains, newestSupported, knownToolchains, selectToolchains, listScenarios, buildScenario, scenarioExpectations, runScenario, judgeRun, pool, variantName, scenarioVariant, run,
  emcc, hashFiles, fresh, stamp, buildOnce, writeReportRows, formatRows, thirdPartyDirs,
};
