'use strict';
// The real-Python suite's builds and runs: CPython built by tools/python-build (stock, in the
// toolchain's root), relinked with the plugin, or patched after the link; the cases of
// cpp-tests/python/cases.py run in it, each in its own process, judged as the C scenarios are.
// Used by jest/python.test.js; nothing here asserts.
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { REPO, run, emcc, hashFiles, buildOnce, judgeRun, thirdPartyDirs } = require('./conformance.js');

const PYTHON_BUILD = path.join(REPO, 'tools', 'python-build');
const SOURCES = path.join(REPO, 'cpp-tests', 'python');
const OUT = path.join(REPO, 'build', 'python');
const LIBRARY = path.join(REPO, 'library_pthread_dylink.js');
const PATCH_CLI = path.join(REPO, 'dist', 'cli.js');

// Each case: how many checks a complete run records (cases.py).
const CASES = { pool: 10, threads: 6, 'import-in-thread': 4 };
const MODES = ['stock', 'plugin', 'postlink'];
// The extension modules, each a SIDE_MODULE CPython imports through dlopen.
const EXTENSIONS = { 'pdpool.so': 'pdpool.cpp', 'pdhooks.so': 'pdhooks.c', 'pdtasks.so': 'pdtasks.c', 'pdlate.so': 'pdlate.c' };

const pythonBuild = (...args) => execFileSync(PYTHON_BUILD, args, { encoding: 'utf8' }).trim();
// The toolchains the toolchain table marks for a CPython build (tools/toolchains.sh): those npm
// test runs (`ci`), or with `all` also those only `npm run python` builds and runs (`full`).
function pythonToolchains({ all = false } = {}) {
  return pythonBuild('--versions', ...(all ? ['--all'] : [])).split('\n').filter(Boolean);
}
function pythonReady(toolchain) {
  return spawnSync(PYTHON_BUILD, ['--ready', toolchain]).status === 0;
}

// The interpreter build: its directory as the root sees it and as the host sees it; the key of
// this build (its recipe's marker and its python.js: a build made again changes what the plugin
// and the extensions are built from).
// Asked once per toolchain (every case of a run asks).
const interpreters = new Map();
function interpreter(toolchain) {
  if (!interpreters.has(toolchain)) interpreters.set(toolchain, findInterpreter(toolchain));
  return interpreters.get(toolchain);
}
function findInterpreter(toolchain) {
  const dir = pythonBuild('--dir', toolchain);
  const hostDir = pythonBuild('--host-dir', toolchain);
  const marker = fs.existsSync(hostDir) && fs.readdirSync(hostDir).find((f) => f.startsWith('.ready-'));
  if (!marker) throw new Error(`CPython for ${toolchain} is not built: run tools/python-build ${toolchain} (npm run python does)`);
  return { dir, hostDir, key: hashFiles([path.join(hostDir, 'python.js')], { marker }) };
}

// The extensions, built once per toolchain and interpreter (they include its pyconfig.h).
async function buildExtensions(toolchain, python) {
  const outDir = path.join(OUT, toolchain, 'ext');
  const [warmPool] = thirdPartyDirs({ id: 'the pool extension (pdpool)', thirdParty: ['warm_pool'] });
  const sources = fs.readdirSync(SOURCES).filter((f) => /\.(c|cpp|h)$/.test(f)).sort().map((f) => path.join(SOURCES, f));
  const flags = ['-O2', '-pthread', '-sSIDE_MODULE=1', `-I${path.posix.join(python.dir, '..', 'src', 'Include')}`, `-I${python.dir}`, `-I${warmPool}`];
  const key = hashFiles([...sources, path.join(warmPool, 'warm_pool.h')], { toolchain, flags, python: python.key });
  await buildOnce(outDir, key, async () => {
    for (const [so, src] of Object.entries(EXTENSIONS)) {
      await emcc(toolchain, [...flags, path.join(SOURCES, src), '-o', path.join(outDir, so)], outDir);
    }
  });
  return outDir;
}

// The python.js a mode runs: stock is the build's own; plugin links it again (CPython's own link
// rule, --js-library added: tools/python-build --link); postlink is stock, copied and patched.
async function buildInterpreter(toolchain, python, mode) {
  if (mode === 'stock') return path.posix.join(python.dir, 'python.js');
  const outDir = path.join(OUT, toolchain, mode);
  const js = path.join(outDir, 'python.js');
  if (mode === 'plugin') {
    const key = hashFiles([LIBRARY], { toolchain, python: python.key });
    await buildOnce(outDir, key, async () => {
      const r = await run(PYTHON_BUILD, ['--link', toolchain, js, `--js-library=${LIBRARY}`]);
      if (r.code !== 0 || !fs.existsSync(js)) throw buildError(`relinking CPython with the plugin failed (exit ${r.code})`, r);
      markBuildDir(python, outDir);
    });
    return js;
  }
  if (mode === 'postlink') {
    const key = hashFiles([PATCH_CLI], { toolchain, python: python.key });
    await buildOnce(outDir, key, async () => {
      for (const f of ['python.js', 'python.wasm']) fs.copyFileSync(path.join(python.hostDir, f), path.join(outDir, f));
      const r = await run(process.execPath, [PATCH_CLI, 'patch', js]);
      if (r.code !== 0) throw buildError('pthread-dylink patch refused python.js', r);
      markBuildDir(python, outDir);
    });
    return js;
  }
  throw new Error(`unknown mode ${mode}: one of ${MODES.join(', ')}`);
}

// CPython finds its standard library from the directory of python.js: in a build directory, by
// its pybuilddir.txt (the compiled modules' directory) and the source tree configure recorded. A
// python.js elsewhere gets one naming the build's, by absolute path.
function markBuildDir(python, outDir) {
  const libDir = fs.readFileSync(path.join(python.hostDir, 'pybuilddir.txt'), 'utf8').trim();
  fs.writeFileSync(path.join(outDir, 'pybuilddir.txt'), `${path.posix.join(python.dir, libDir)}\n`);
}

function buildError(what, r) {
  const err = new Error(`${what}:\n${r.stderr}${r.stdout}`);
  err.summary = `${what}: ${(r.stderr + r.stdout).trim().split('\n').filter(Boolean).slice(-1)[0] || ''}`.slice(0, 300);
  return err;
}

// One case in one interpreter, bounded. Never throws: a build that fails is a build-error row.
async function runCase({ toolchain, mode, name, timeoutMs = 60000 }) {
  const row = { toolchain, case: name, mode };
  let js;
  let ext;
  try {
    const python = interpreter(toolchain);
    ext = await buildExtensions(toolchain, python);
    js = await buildInterpreter(toolchain, python, mode);
  } catch (e) {
    return { ...row, result: 'build-error', detail: e.summary || e.message.split('\n')[0], evidence: [] };
  }
  const t0 = Date.now();
  // In the toolchain's output directory: a MAIN_MODULE=1 python.js links LLVM's profile runtime
  // whole, which writes an empty default.profraw into the current directory at exit.
  const r = await run(path.join(REPO, 'tools', 'em'), [toolchain, 'node', js, path.join(SOURCES, 'cases.py'), ext, name],
    { timeoutMs, cwd: path.join(OUT, toolchain) });
  const verdict = judgeRun(r, { timeoutMs, expectChecks: CASES[name] });
  return { ...row, result: verdict.result, detail: verdict.detail, evidence: verdict.evidence, seconds: (Date.now() - t0) / 1000, output: (r.stdout + r.stderr).slice(-4000) };
}

function writeReport(rows) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'report.json');
  fs.writeFileSync(file, JSON.stringify({ generated: new Date().toISOString(), rows: rows.map(({ output, ...r }) => r) }, null, 2));
  return file;
}

module.exports = { CASES, MODES, pythonToolchains, pythonReady, runCase, writeReport };
