'use strict';
// The post-link transform on real emcc output of every installed toolchain, and on inputs it must
// refuse. Whatever it refuses, the file must stay byte-identical.
const fs = require('fs');
const path = require('path');
const acorn = require('acorn');
const c = require('../tools/conformance');
const { patchText, patchFile, Unpatchable } = require('../tools/transform/patch.mjs');
const { findAnchors } = require('../tools/transform/anchors.mjs');
const { shapeFor, memory64Runs } = require('../src/versions.js');

// The one table of which emscriptens the runtime supports.
const supported = (toolchain) => shapeFor(toolchain).supported;
const FIXTURES = path.join(c.OUT, '..', 'transform-fixtures');
const RUNTIME = '(function () { return { install: function (em, original) { return original; } }; })()';
// What esbuild's define puts into dist/ (the CLI reads it as a global when not bundled).
globalThis.__PTHREAD_DYLINK_RUNTIME__ = RUNTIME;
const { main: cli } = require('../tools/cli.mjs');

// name → emcc link flags; `patchable` says whether a >= 3.1.27 toolchain's output must be patched.
const KINDS = {
  'mm1-O2': { flags: ['-O2', '-pthread', '-sMAIN_MODULE=1'], patchable: true },
  'mm1-O0': { flags: ['-O0', '-pthread', '-sMAIN_MODULE=1', '-sASSERTIONS=1'], patchable: true },
  'mm1-O3': { flags: ['-O3', '-pthread', '-sMAIN_MODULE=1'], patchable: true },
  'mm2-O2-es6': { flags: ['-O2', '-pthread', '-sMAIN_MODULE=2', '-sMODULARIZE', '-sEXPORT_ES6'], patchable: true, out: 'main.mjs' },
  // Memory growth: every heap access of emscripten's goes through a view refresh
  // (GROWABLE_HEAP_I8() on 3.1.x, (growMemViews(), HEAP8) on 4.x+), the dso stores included.
  'mm1-O2-grow': { flags: ['-O2', '-pthread', '-sMAIN_MODULE=1', '-sALLOW_MEMORY_GROWTH'], patchable: true, access: /growable|growMemViews/ },
  'mm1-O0-grow': { flags: ['-O0', '-pthread', '-sMAIN_MODULE=1', '-sALLOW_MEMORY_GROWTH'], patchable: true, access: /growable|growMemViews/ },
  // 64-bit struct dso fields (HEAPU64[(handle + 16) / 8] = BigInt(memoryBase)).
  'mm1-O2-m64': { flags: ['-O2', '-pthread', '-sMAIN_MODULE=1', '-sMEMORY64'], patchable: true, memory64: true, only: memory64Runs },
  'mm1-O0-m64-grow': { flags: ['-O0', '-pthread', '-sMAIN_MODULE=1', '-sMEMORY64', '-sALLOW_MEMORY_GROWTH'], patchable: true, memory64: true, access: /growMemViews/, only: memory64Runs },
  'mm1-O2-closure': {
    // Not on 3.1.6: npm's closure compiler is too new for it; its refusal is about its age anyway.
    flags: ['-O2', '--closure', '1', '-pthread', '-sMAIN_MODULE=1'], env: { EM_CLOSURE_COMPILER: c.CLOSURE_COMPILER }, only: (t) => shapeFor(t).supported,
    refusal: /this is closure-compiled output \(--closure 1\): .* link with --js-library=library_pthread_dylink\.js instead/,
  },
  'no-pthread': { flags: ['-O2', '-sMAIN_MODULE=1'], refusal: /no pthreads \(-pthread\): there is only one function table, so the plugin is not needed/ },
  'no-main-module': { flags: ['-O2', '-pthread'], refusal: /not a MAIN_MODULE \(no dynamic linking\), so the plugin is not needed/ },
};

// npm test patches the kinds in EVERY_TOOLCHAIN on each installed toolchain (3.1.6, which is
// refused whatever the kind, mm1-O2 only) and every kind on Pyodide's 5.0.3 and the newest (CI
// budget: ~60 links otherwise); PTHREAD_DYLINK_FULL_MATRIX=1 (npm run conformance:full) every kind
// everywhere. A kind in NEEDS links system libraries beyond the default variant's: npm test
// patches it only where setup builds those ahead (the toolchain table's `warm` sets), so CI on a
// fresh machine never spends minutes building them.
const EVERY_TOOLCHAIN = ['mm1-O2', 'mm1-O0', 'mm1-O2-grow', 'no-pthread', 'no-main-module'];
// (wasm64's -debug libraries: no toolchain's `warm` has them, so that kind runs in the full matrix only.)
const NEEDS = { 'mm1-O0': 'debug', 'mm1-O0-grow': 'debug', 'mm1-O0-m64-grow': 'debug64', 'no-pthread': 'plain', 'no-main-module': 'plain' };
const toolchains = c.installedToolchains();
const newest = c.newestSupported(toolchains);
const FULL = process.env.PTHREAD_DYLINK_FULL_MATRIX === '1';
// Asked of tools/em once per toolchain, not once per kind.
const warmed = new Map();
const warmedOn = (toolchain) => warmed.get(toolchain) ?? warmed.set(toolchain, c.warmedLibraries(toolchain)).get(toolchain);
function fixtureRuns(toolchain, kind) {
  if (FULL) return true;
  if (!supported(toolchain)) return kind === 'mm1-O2';
  if (NEEDS[kind] && !warmedOn(toolchain).includes(NEEDS[kind])) return false;
  return toolchain === '5.0.3' || toolchain === newest || EVERY_TOOLCHAIN.includes(kind);
}
const fixtures = [];
for (const toolchain of toolchains) {
  for (const [kind, spec] of Object.entries(KINDS)) {
    if ((!spec.only || spec.only(toolchain)) && fixtureRuns(toolchain, kind)) fixtures.push({ toolchain, kind, ...spec });
  }
}

async function buildFixture(f) {
  const dir = path.join(FIXTURES, f.toolchain, f.kind);
  const out = path.join(dir, f.out || 'main.js');
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'main.c');
  fs.writeFileSync(src, '#include <dlfcn.h>\nint main(void) { return dlopen("x.so", RTLD_NOW) != 0; }\n');
  const r = await c.run(path.join(c.REPO, 'tools', 'em'), [f.toolchain, 'emcc', ...f.flags, src, '-o', out], { cwd: dir, env: f.env });
  if (r.code !== 0) throw new Error(`fixture ${f.toolchain}/${f.kind} did not build: ${(r.stderr + r.stdout).slice(-800)}`);
  return out;
}

const built = new Map();
beforeAll(async () => {
  await c.pool(fixtures, 2, async (f) => built.set(`${f.toolchain}/${f.kind}`, await buildFixture(f)));
}, 20 * 60 * 1000);


describe.each(fixtures.map((f) => [`${f.toolchain}/${f.kind}`, f]))('%s', (name, f) => {
  test(f.patchable && supported(f.toolchain) ? 'patches once, then says it has nothing to do' : 'refuses with the reason and leaves the file alone', () => {
    const text = fs.readFileSync(built.get(name), 'utf8');
    if (f.patchable && supported(f.toolchain)) {
      const first = patchText(text, RUNTIME);
      expect(first.status).toBe('patched');
      expect(first.text.length).toBeGreaterThan(text.length);
      // The patched file is still valid JS as a whole (the tool itself only parses what it edits).
      acorn.parse(first.text, { ecmaVersion: 'latest', sourceType: f.out ? 'module' : 'script', allowReturnOutsideFunction: true });
      const found = findAnchors(text);
      expect(found.access).toMatch(f.access || /^plain$/);
      expect(found.memory64).toBe(!!f.memory64);
      if (f.memory64) expect(found.layout).toEqual({ size: 48, mem_allocated: 12, mem_addr: 16, mem_size: 24, table_addr: 32, table_size: 40 });
      // The file route (the CLI: the input checked on a worker thread meanwhile) writes the same.
      const copy = path.join(path.dirname(built.get(name)), `copy-${path.basename(built.get(name))}`);
      fs.writeFileSync(copy, text);
      expect(patchFile(copy, RUNTIME).status).toBe('patched');
      expect(fs.readFileSync(copy, 'utf8')).toBe(first.text);
      fs.rmSync(copy);
      const second = patchText(first.text, RUNTIME);
      expect(second.status).toBe('already');
      expect(second.text).toBe(first.text);
      expect(second.summary).toMatch(/already patched; nothing to do/);
    } else {
      const expected = supported(f.toolchain) ? f.refusal : (f.refusal || /older than 3\.1\.27 \(no dlopen syncing between threads\)/);
      expect(() => patchText(text, RUNTIME)).toThrow(Unpatchable);
      expect(() => patchText(text, RUNTIME)).toThrow(expected);
    }
  });
});

describe('inputs it must refuse, leaving the bytes as they were', () => {
  const patchable = () => built.get(`${newest}/mm1-O2`);
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(FIXTURES, 'case-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function refuses(file, message) {
    const before = fs.readFileSync(file);
    const out = [];
    const errs = [];
    const code = cli(['patch', file], { write: (s) => out.push(s) }, { write: (s) => errs.push(s) });
    expect(code).toBe(1);
    expect(errs.join('')).toMatch(message);
    expect(errs.join('').trim().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  }

  test('a truncated file', () => {
    const text = fs.readFileSync(patchable(), 'utf8');
    const file = path.join(dir, 'main.js');
    // Cut inside loadWebAssemblyModule: the anchor is there but its definition does not parse.
    const at = text.indexOf('var loadWebAssemblyModule') + 200;
    fs.writeFileSync(file, text.slice(0, at));
    refuses(file, /the input is not valid JavaScript \(SyntaxError: .*\): a truncated or hand-edited file\?/);
  });

  // Issue 17 (4): half of a real main.js was patched with exit 0, the wrappers past the cut
  // silently missing. Cut between two statements, it is still valid JavaScript.
  test.each([['mm1-O2'], ['mm1-O0']])('a file cut in half between two statements (%s)', (kind) => {
    const text = fs.readFileSync(built.get(`${newest}/${kind}`), 'utf8');
    const file = path.join(dir, 'main.js');
    const statement = /[;\n]var /g;
    statement.lastIndex = Math.floor(text.length / 2);
    const half = statement.exec(text).index + 1;
    const cut = text.slice(0, half);
    expect(() => new (require('vm').Script)(cut)).not.toThrow();
    fs.writeFileSync(file, cut);
    refuses(file, /the input ends before emscripten's start-up code \(no run\(\) call after `function run`\): a truncated file\?/);
  });

  test('what a build leaves out is named in the summary', () => {
    const r = patchText(fs.readFileSync(built.get(`${newest}/mm2-O2-es6`), 'utf8'), RUNTIME);
    expect(r.summary).toMatch(/; not in this build, so not wrapped: [\w, ]+;/);
  });

  test('JS that emscripten did not generate', () => {
    const file = path.join(dir, 'app.js');
    fs.writeFileSync(file, 'console.log("hello");\n');
    refuses(file, /does not look like JS generated by emscripten/);
  });

  test('an emscripten whose loader takes other arguments', () => {
    const file = path.join(dir, 'main.js');
    fs.writeFileSync(file, fs.readFileSync(patchable(), 'utf8')
      .replace(/var loadWebAssemblyModule\s*=\s*\(binary,\s*flags,\s*libName,\s*localScope,\s*handle\)/, 'var loadWebAssemblyModule=(binary,flags,libName,handle)'));
    refuses(file, /loadWebAssemblyModule takes \(binary, flags, libName, handle\), expected \(binary, flags, libName, localScope, handle\)/);
  });

  test('a missing definition is named', () => {
    const file = path.join(dir, 'main.js');
    fs.writeFileSync(file, fs.readFileSync(patchable(), 'utf8').replace(/var getEmptyTableSlot\s*=/, 'var getEmptyTableSlot2='));
    refuses(file, /anchor not found: var getEmptyTableSlot/);
  });

  // On the newest toolchain that built the kind: npm test builds these only where their
  // libraries are warm (Debian's prebuilt 3.1.x), the full matrix everywhere.
  test.each([['no-pthread'], ['no-main-module']])('a build the plugin is not needed for (%s), through the CLI', (kind) => {
    const from = [...toolchains].reverse().find((t) => built.has(`${t}/${kind}`));
    if (!from) throw new Error(`no toolchain built the ${kind} fixture (its libraries: the toolchain table's warm set '${NEEDS[kind]}')`);
    const file = path.join(dir, 'main.js');
    fs.copyFileSync(built.get(`${from}/${kind}`), file);
    refuses(file, KINDS[kind].refusal);
  });

  test('a read-only file', () => {
    const file = path.join(dir, 'main.js');
    fs.copyFileSync(patchable(), file);
    fs.chmodSync(file, 0o444);
    refuses(file, /cannot write .*main\.js: it is read-only/);
  });

  test('a missing file', () => {
    const errs = [];
    expect(cli(['patch', path.join(dir, 'nope.js')], { write() {} }, { write: (s) => errs.push(s) })).toBe(1);
    expect(errs.join('')).toMatch(/nope\.js: not patched: cannot read .*nope\.js: no such file/);
  });

  test('a file patched by the first, unversioned tool: refused, since its block has no end to cut at', () => {
    const file = path.join(dir, 'main.js');
    const patched = patchText(fs.readFileSync(patchable(), 'utf8'), RUNTIME, '0.2.0').text;
    fs.writeFileSync(file, patched
      .replace('/* pthread-dylink 0.2.0 runtime (added after linking by `pthread-dylink patch`) */', '/* pthread-dylink runtime (added after linking by `pthread-dylink patch`) */')
      .replace('/* end of the pthread-dylink runtime */\n', ''));
    refuses(file, /patched by an older pthread-dylink \(before 0\.2\.0\) whose block cannot be replaced safely/);
  });

  test('a file patched by another version gets its block replaced, as if patched afresh', () => {
    const original = fs.readFileSync(patchable(), 'utf8');
    const old = patchText(original, RUNTIME, '0.1.9').text;
    const upgraded = patchText(old, RUNTIME, '0.2.0');
    expect(upgraded.status).toBe('patched');
    expect(upgraded.summary).toMatch(/^replaced the runtime of pthread-dylink 0\.1\.9 with 0\.2\.0; added the runtime after offset/);
    expect(upgraded.text).toBe(patchText(original, RUNTIME, '0.2.0').text);
    expect(patchText(upgraded.text, RUNTIME, '0.2.0').status).toBe('already');
  });

  test('check reports without writing, for each state', () => {
    const file = path.join(dir, 'main.js');
    fs.copyFileSync(patchable(), file);
    const say = (args) => { const out = []; const code = cli(args, { write: (s) => out.push(s) }, { write: (s) => out.push(s) }); return [code, out.join('')]; };
    const before = fs.readFileSync(file);
    expect(say(['check', file])).toEqual([0, `${file}: unpatched\n`]);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(patchFile(file, RUNTIME).status).toBe('patched');
    expect(say(['check', file])).toEqual([0, `${file}: patched\n`]);
    fs.writeFileSync(file, patchText(before.toString(), RUNTIME, '0.1.9').text);
    expect(say(['check', file])).toEqual([0, `${file}: patched by pthread-dylink 0.1.9 (this is dev: \`patch\` replaces it)\n`]);
    fs.writeFileSync(file, 'console.log(1)\n');
    expect(say(['check', file])[0]).toBe(1);
  });
});

test('the insertion point comes after every definition it wraps', () => {
  const file = built.get(`${newest}/mm1-O0`);
  const text = fs.readFileSync(file, 'utf8');
  const { insertAt, layout } = findAnchors(text);
  for (const name of ['var loadWebAssemblyModule', 'function loadDynamicLibrary', 'var getEmptyTableSlot', 'var __dlsym_js', 'var __dlsym_catchup_js']) {
    expect(text.indexOf(name)).toBeLessThan(insertAt);
  }
  expect(layout).toEqual({ size: 32, mem_allocated: 8, mem_addr: 12, mem_size: 16, table_addr: 20, table_size: 24 });
});
