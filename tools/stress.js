'use strict';
// The randomized stress run: cpp-tests/stress/main.c interleaves, from a seed, module loads (JS
// preload, dlopen on the main thread and on pthreads), main-thread table gaps and pthreads on a
// reused pool, and counts calls through pointers that do not reach their function.
//   node tools/stress.js              seeds 1..4, 40 steps each, stock and plugin, every supported toolchain
//   node tools/stress.js --long       with the plugin, seeds until 100,000 checked calls per toolchain
//   node tools/stress.js --seed 17    one seed (to reproduce a report's failure)
// Writes build/stress/report.json.
const fs = require('fs');
const path = require('path');
const c = require('./conformance');

const SRC = path.join(c.REPO, 'cpp-tests', 'stress');
const OUT = path.join(c.REPO, 'build', 'stress');
const EM = path.join(c.REPO, 'tools', 'em');
const MODULES = 8;
const FLAGS = ['-O2', '-pthread', '-D_GNU_SOURCE'];

const emcc = (toolchain, args, emscriptenDir) => c.emcc(toolchain, [...FLAGS, ...args], c.REPO, emscriptenDir);
// The fixes under test, per toolchain: the plugin, and on 6.0.5 emscripten with the upstream patch.
const fixModes = (toolchain) => c.modesFor(['plugin', 'upstream-patched'], toolchain);

// Side modules once per toolchain, a main per mode; rebuilt when a source or the library changes.
async function build(toolchain) {
  const sources = ['side.c', 'main.c'].map((f) => path.join(SRC, f));
  const harness = path.join(c.REPO, 'cpp-tests', 'harness', 'pd_check.h');
  const library = path.join(c.REPO, 'library_pthread_dylink.js');
  const key = c.hashFiles([...sources, harness, library, c.UPSTREAM_PATCH], {});
  const dirs = {};
  for (const mode of ['stock', ...fixModes(toolchain)]) {
    const dir = path.join(OUT, toolchain, mode);
    dirs[mode] = dir;
    if (c.fresh(dir, key)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (let k = 0; k < MODULES; k++) {
      await emcc(toolchain, ['-sSIDE_MODULE=1', `-DK=${k}`, path.join(SRC, 'side.c'), '-o', path.join(dir, `stress_${k}.so`)]);
    }
    await emcc(toolchain, [path.join(SRC, 'main.c'), '-sMAIN_MODULE=1', '-sALLOW_TABLE_GROWTH', '-sNODERAWFS', '-sPTHREAD_POOL_SIZE=2',
      '-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=$addFunction,$loadDynamicLibrary',
      ...(mode === 'plugin' ? [`--js-library=${library}`] : []), '-o', path.join(dir, 'main.js')],
    mode === 'upstream-patched' ? await c.upstreamTree(toolchain) : undefined);
    c.stamp(dir, key);
  }
  return dirs;
}

async function runSeed(toolchain, dir, seed, steps) {
  const r = await c.run(EM, [toolchain, 'node', 'main.js', String(seed), String(steps)], { cwd: dir, timeoutMs: 120000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('PDSTRESS '));
  if (!line) {
    // A run that died (a trap in a worker takes the process down on stock) counts as one mismatch.
    const why = (r.stderr + r.stdout).split('\n').map((l) => l.trim()).find((l) => /Error|Aborted|abort/.test(l) && l.length < 300) || `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}`;
    return { seed, steps, checks: 0, mismatches: 1, first: `the run died: ${why}` };
  }
  return JSON.parse(line.slice(9));
}

async function run({ long = false, seeds = null, steps = 40, toolchains = c.supportedToolchains() } = {}) {
  const target = long ? 100000 : 0;
  const report = { generated: new Date().toISOString(), long, steps, results: [] };
  for (const toolchain of toolchains) {
    const dirs = await build(toolchain);
    for (const mode of ['stock', ...fixModes(toolchain)]) {
      const runs = [];
      let total = 0;
      // --long counts checked calls with a fix; stock, the control, keeps the default seeds.
      const goal = mode === 'stock' ? 0 : target;
      for (let seed = seeds ? seeds[0] : 1; ; seed++) {
        if (seeds && !seeds.includes(seed)) break;
        if (!seeds && !goal && seed > 4) break;
        if (goal && total >= goal) break;
        const r = await runSeed(toolchain, dirs[mode], seed, goal ? 80 : steps);
        runs.push(r);
        total += r.checks;
        process.stderr.write(`[stress] ${toolchain} ${mode} seed ${seed}: ${r.checks} checks, ${r.mismatches} mis-resolved${r.first ? ` (first: ${r.first})` : ''}\n`);
      }
      report.results.push({
        toolchain, mode, runs: runs.length,
        checks: runs.reduce((a, r) => a + r.checks, 0),
        mismatches: runs.reduce((a, r) => a + r.mismatches, 0),
        failingSeeds: runs.filter((r) => r.mismatches).map((r) => r.seed),
        first: runs.find((r) => r.mismatches)?.first || '',
      });
    }
  }
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'report.json'), JSON.stringify(report, null, 2));
  return report;
}

function table(report) {
  return report.results.map((r) => `${r.toolchain.padEnd(7)} ${r.mode.padEnd(16)} ${String(r.runs).padStart(4)} runs ${String(r.checks).padStart(7)} checked calls ` +
    `${String(r.mismatches).padStart(5)} mis-resolved${r.failingSeeds.length ? ` (seeds ${r.failingSeeds.slice(0, 8).join(', ')}; first: ${r.first.slice(0, 120)})` : ''}`).join('\n');
}

module.exports = { run, table };

if (require.main === module) {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  run({ long: args.includes('--long'), seeds: seedAt >= 0 ? [Number(args[seedAt + 1])] : null }).then((report) => {
    process.stdout.write(`${table(report)}\nreport: build/stress/report.json\n`);
    process.exitCode = report.results.some((r) => r.mode !== 'stock' && r.mismatches) ? 1 : 0;
  }).catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exitCode = 2; });
}
