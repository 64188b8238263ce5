'use strict';
// The upstream patch (upstream/emscripten-6.0.8.patch): it applies to 6.0.8 as released, and the
// tests it adds in emscripten's style fail on stock 6.0.8 and pass with the patch. (The whole
// conformance suite runs against the patched tree too: mode upstream-patched in
// jest/conformance.test.js; emscripten's own runner runs the added test in jest/peer.test.js.)
const fs = require('fs');
const path = require('path');
const c = require('../tools/conformance');

const UPSTREAM = path.join(c.REPO, 'tools', 'upstream');
const TEST_DIR = 'test/core/pthread';
const NAME = 'test_pthread_dlopen_table_gap';
// #19848: a pthread's dlopen while the main thread joins it (bounded: stock gives up after 10 s).
const JOINS = 'test_pthread_dlopen_main_joins';
const installed = c.installedToolchains().includes(c.UPSTREAM_TOOLCHAIN);

jest.setTimeout(10 * 60 * 1000);

(installed ? describe : describe.skip)(`upstream patch on ${c.UPSTREAM_TOOLCHAIN}`, () => {
  let tree;
  let treeOnHost;
  beforeAll(async () => {
    tree = await c.upstreamTree(c.UPSTREAM_TOOLCHAIN);
    treeOnHost = (await c.run(UPSTREAM, ['host-path'])).stdout.trim();
  });

  test('applies to the released sources with no fuzz and no offset', async () => {
    const r = await c.run(UPSTREAM, ['check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/checking file src\/lib\/libdylink_tablesync\.js/);
    expect(r.stdout).not.toMatch(/fuzz|offset|FAILED/i);
  });

  // Built as the test method in test_core.py builds it (build_dlfcn_lib + prep_dlfcn_main).
  async function buildAndRun(mode, name = NAME) {
    const dir = path.join(c.OUT, '..', 'upstream', name === NAME ? mode : `${name}-${mode}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const rootTree = path.join(treeOnHost, TEST_DIR);
    for (const f of [`${name}.c`, `${name}_side.c`, `${name}.out`]) fs.copyFileSync(path.join(rootTree, f), path.join(dir, f));
    const emscriptenDir = mode === 'patched' ? tree : undefined;
    const common = ['-Wno-experimental', '-pthread'];
    await c.emcc(c.UPSTREAM_TOOLCHAIN, [...common, '-sSIDE_MODULE', `${name}_side.c`, '-o', 'libside.so'], dir, emscriptenDir);
    await c.emcc(c.UPSTREAM_TOOLCHAIN, [...common, `${name}.c`, 'libside.so', '-sMAIN_MODULE=2', '-sNO_AUTOLOAD_DYLIBS',
      '-sEXIT_RUNTIME', '-sALLOW_TABLE_GROWTH', '-sPTHREAD_POOL_SIZE=1', '-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=$addFunction',
      '-sNODERAWFS', '-o', 'main.js'], dir, emscriptenDir);
    const r = await c.run(path.join(c.REPO, 'tools', 'em'), [c.UPSTREAM_TOOLCHAIN, 'node', 'main.js'], { cwd: dir, timeoutMs: 60000 });
    return { ...r, expected: fs.readFileSync(path.join(dir, `${name}.out`), 'utf8') };
  }

  test(`${NAME} prints its expected output with the patch`, async () => {
    const r = await buildAndRun('patched');
    expect(r.stdout).toBe(r.expected);
    expect(r.code).toBe(0);
  });

  // emscripten's core2 tests link with --closure 1 -Wclosure -Werror: the patch's library code
  // must give closure nothing to warn about (it did: an always-false `0 ||`, Object.entries of a
  // nullable, unreachable code after the early return in getEmptyTableSlot).
  test('a --closure 1 -Wclosure -Werror link with the patched emscripten adds no warning', async () => {
    const dir = path.join(c.OUT, '..', 'upstream', 'closure');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'main.c'), '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
    const r = await c.run(path.join(c.REPO, 'tools', 'em'), [c.UPSTREAM_TOOLCHAIN, `${tree}/emcc`, '-O2', '--closure', '1', '-Wclosure', '-Werror',
      '-Wno-experimental', '-Wno-version-check', '-pthread', '-sMAIN_MODULE=2', 'main.c', '-o', 'main.js'],
    { cwd: dir, timeoutMs: 5 * 60 * 1000, env: { EM_CLOSURE_COMPILER: c.CLOSURE_COMPILER } });
    expect(r.stderr + r.stdout).not.toMatch(/WARNING|error/);
    expect(r.code).toBe(0);
  });

  test(`${NAME} fails on stock ${c.UPSTREAM_TOOLCHAIN} (the control: the test bites)`, async () => {
    const r = await buildAndRun('stock');
    // The main thread's lines come out right; the worker calls a pointer that is not there.
    expect(r.stdout).toMatch(/^main: side_func\(\) = 42\n/);
    expect(r.stdout).not.toBe(r.expected);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/table index is out of bounds|RuntimeError|null function/);
  });

  test(`${JOINS} prints its expected output with the patch`, async () => {
    const r = await buildAndRun('patched', JOINS);
    expect(r.stdout).toBe(r.expected);
    expect(r.code).toBe(0);
  });

  test(`${JOINS} fails on stock ${c.UPSTREAM_TOOLCHAIN} (the control: the dlopen hangs until the bounded join gives up)`, async () => {
    const r = await buildAndRun('stock', JOINS);
    expect(r.stdout).toMatch(/the dlopen did not finish within 10 seconds/);
    expect(r.stdout).not.toBe(r.expected);
  });
});
