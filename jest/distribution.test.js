'use strict';
// The package as users get it: `npm pack`, installed into a scratch project outside the repo, and
// used the documented ways (the flags the CLI prints; the post-link `patch`; the CMake helper) to
// build and pass a conformance scenario. Nothing here reaches into the repo except the toolchains.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const c = require('../tools/conformance');

const EM = path.join(c.REPO, 'tools', 'em');
const SCENARIO = path.join(c.REPO, 'cpp-tests', 's4_dlopen_pool');
const HARNESS = path.join(c.REPO, 'cpp-tests', 'harness');
// Toolchains the plugin supports, newest first; the scratch-project test needs just one.
const supported = c.supportedToolchains().reverse();
const LINK = ['-O2', '-pthread', '-D_GNU_SOURCE', '-sMAIN_MODULE=1', '-sALLOW_TABLE_GROWTH', '-sEXIT_RUNTIME',
  '-sNODERAWFS', '-sPTHREAD_POOL_SIZE=2', '-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=$addFunction,$loadDynamicLibrary'];

async function em(toolchain, cwd, args, what) {
  const r = await c.run(EM, [toolchain, ...args], { cwd, timeoutMs: 10 * 60 * 1000 });
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${(r.stderr + r.stdout).slice(-3000)}`);
  return r.stdout;
}

function expectPass(stdout, what) {
  const verdict = stdout.split('\n').find((l) => l.startsWith('PDRESULT'));
  if (!verdict?.startsWith('PDRESULT pass')) throw new Error(`${what}: ${verdict || 'no verdict'}\n${stdout.slice(-2000)}`);
}

// A copy of S4 laid out as a user's project would hold it: the sources in src/, the harness they
// include as ../harness/, all below the directory the toolchain runs in (the only one it sees).
function copyScenario(dir) {
  fs.cpSync(HARNESS, path.join(dir, 'harness'), { recursive: true });
  fs.cpSync(SCENARIO, path.join(dir, 'src'), { recursive: true });
  return dir;
}

const maybe = supported.length ? describe : describe.skip;

maybe('npm pack, installed in a scratch project', () => {
  let scratch;
  let pkg;
  const toolchain = supported[0];
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pthread-dylink-consumer-'));
    execFileSync('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: c.REPO, stdio: 'pipe' });
    const tarball = fs.readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', path.join(scratch, tarball)], { cwd: scratch, stdio: 'pipe' });
    pkg = path.join(scratch, 'node_modules', 'pthread-dylink');
  }, 120000);
  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('holds what users need and nothing of the repo\'s insides', () => {
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: pkg, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(files).toEqual(['./README.md', './cmake/PthreadDylink.cmake', './dist/cli.js', './dist/transform.js',
      './index.js', './library_pthread_dylink.js', './package.json']);
  });

  test('require and import give the library path, the flags and the transform API', async () => {
    const script = `
      const pd = require('pthread-dylink');
      import('pthread-dylink').then((m) => {
        console.log(JSON.stringify({ lib: pd.jsLibrary, flags: pd.linkFlags(), esm: m.default.jsLibrary,
          api: Object.keys(pd.transform()).sort(), cmake: require('fs').existsSync(pd.cmakeModule),
          resolved: require.resolve('pthread-dylink/library_pthread_dylink.js') }));
      });`;
    const got = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: scratch, encoding: 'utf8' }));
    expect(got.lib).toBe(path.join(pkg, 'library_pthread_dylink.js'));
    expect(got.flags).toEqual([`--js-library=${got.lib}`]);
    expect(got.esm).toBe(got.lib);
    expect(got.resolved).toBe(got.lib);
    expect(got.cmake).toBe(true);
    expect(got.api).toEqual(expect.arrayContaining(['checkFile', 'patchFile', 'patchText', 'status', 'Unpatchable']));
  });

  test(`the printed flags build S4 and it passes (${toolchain})`, async () => {
    const bin = path.join(scratch, 'node_modules', '.bin', 'pthread-dylink');
    const flags = execFileSync(bin, ['flags'], { cwd: scratch, encoding: 'utf8' }).trim();
    expect(flags).toBe(`--js-library=${path.join(pkg, 'library_pthread_dylink.js')}`);
    // Built from the project root, which the toolchain then sees whole (node_modules included).
    const app = copyScenario(path.join(scratch, 'library-route'));
    await em(toolchain, scratch, ['emcc', '-O2', '-pthread', '-D_GNU_SOURCE', '-sSIDE_MODULE=1', 'library-route/src/s4_side.c', '-o', 'library-route/s4_side.so'], 'side module');
    await em(toolchain, scratch, ['emcc', ...LINK, 'library-route/src/main.c', flags, '-o', 'library-route/main.js'], 'link with the printed flags');
    expectPass(await em(toolchain, app, ['node', 'main.js'], 'run'), 'library route');
  }, 10 * 60 * 1000);

  test(`the post-link route: a stock build patched with the installed CLI passes S4 (${toolchain})`, async () => {
    const app = copyScenario(path.join(scratch, 'postlink-route'));
    await em(toolchain, app, ['emcc', '-O2', '-pthread', '-D_GNU_SOURCE', '-sSIDE_MODULE=1', 'src/s4_side.c', '-o', 's4_side.so'], 'side module');
    await em(toolchain, app, ['emcc', ...LINK, 'src/main.c', '-o', 'main.js'], 'stock link');
    const bin = path.join(scratch, 'node_modules', '.bin', 'pthread-dylink');
    expect(execFileSync(bin, ['patch', 'main.js'], { cwd: app, encoding: 'utf8' })).toMatch(/^main\.js: added the runtime after offset \d+; wraps loadWebAssemblyModule/);
    expect(execFileSync(bin, ['check', 'main.js'], { cwd: app, encoding: 'utf8' })).toBe('main.js: patched\n');
    expectPass(await em(toolchain, app, ['node', 'main.js'], 'run'), 'post-link route');
  }, 10 * 60 * 1000);
});

// The CMake helper on each supported toolchain: one project, both routes, built with emcmake.
describe.each(supported)('CMake helper (%s)', (toolchain) => {
  test('target_link_pthread_dylink builds S4 through emcmake, by either route, and both pass', async () => {
    const dir = path.join(c.OUT, '..', 'cmake', toolchain);
    fs.rmSync(dir, { recursive: true, force: true });
    const src = path.join(dir, 'src');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.16)
project(s4_cmake C)
list(APPEND CMAKE_MODULE_PATH "${path.join(c.REPO, 'cmake')}")
include(PthreadDylink)
set(S4 "${SCENARIO}")
add_compile_options(-O2 -pthread -D_GNU_SOURCE)
# Links at -O2 as well: at CMake's default -O0, emscripten turns ASSERTIONS on and links its -debug
# system libraries, which setup does not build ahead everywhere (minutes of CI on a fresh machine).
add_link_options(-O2)
add_executable(s4_side \${S4}/s4_side.c)
set_target_properties(s4_side PROPERTIES SUFFIX ".so")
# Separate compile and link: position-independent code needs the module kind at compile time too.
target_compile_options(s4_side PRIVATE -sSIDE_MODULE=1)
target_link_options(s4_side PRIVATE -pthread -sSIDE_MODULE=1)
foreach(route LIBRARY POSTLINK)
  add_executable(main_\${route} \${S4}/main.c)
  target_compile_options(main_\${route} PRIVATE -sMAIN_MODULE=1)
  target_link_options(main_\${route} PRIVATE ${LINK.filter((f) => !/^-[OD]/.test(f)).map((f) => `"${f}"`).join(' ')})
  target_link_pthread_dylink(main_\${route} ROUTE \${route})
  add_dependencies(main_\${route} s4_side)
endforeach()
`);
    const bld = path.join(dir, 'bld');
    await em(toolchain, dir, ['emcmake', 'cmake', '-S', src, '-B', bld], 'emcmake cmake');
    await em(toolchain, dir, ['cmake', '--build', bld], 'cmake --build');
    const status = (f) => execFileSync(process.execPath, [path.join(c.REPO, 'dist', 'cli.js'), 'check', f], { cwd: bld, encoding: 'utf8' });
    expect(status('main_LIBRARY.js')).toBe('main_LIBRARY.js: linked\n');
    expect(status('main_POSTLINK.js')).toBe('main_POSTLINK.js: patched\n');
    for (const route of ['LIBRARY', 'POSTLINK']) {
      expectPass(await em(toolchain, bld, ['node', `main_${route}.js`], `run main_${route}.js`), `CMake ${route} route`);
    }
  }, 15 * 60 * 1000);
});

// One MAIN_MODULE=2 link per toolchain, with -Werror, for two things (one link: CI budget):
// - MAIN_MODULE=2 links only the native functions something asks for; the runtime's own needs
//   (malloc, free) must reach emcc through extraLibraryFuncs. Found by emscripten's
//   test_pthread_dylink_basics: "undefined symbol: malloc (referenced by $pthreadDylink)".
// - Users link with -Werror (emscripten's own tests do): the library must add no warning of its
//   own, e.g. naming a symbol emscripten marks internal ("user library symbol '$pthreadDylink'
//   depends on internal symbol '$setWasmTableEntry'"). -Wno-version-check: the archive toolchains
//   run on an older LLVM than they expect (tools/setup). At -O2: at -O0 emscripten links its
//   ASSERTIONS (-debug) system libraries, which setup builds ahead only where npm test needs them
//   anyway (emscripten's own core0 tests, -O0 with -Werror, run with the plugin on 5.0.3 and the newest).
test.each(c.supportedToolchains())('a -Werror -sMAIN_MODULE=2 link with the library adds no warning, and carries the runtime and malloc (%s)', async (toolchain) => {
  const dir = path.join(c.OUT, '..', 'werror', toolchain);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.c'), '#include <dlfcn.h>\nint main(void) { return dlopen("x.so", RTLD_NOW) != 0; }\n');
  const r = await c.run(EM, [toolchain, 'emcc', '-O2', '-Werror', '-Wno-experimental', '-Wno-version-check', '-pthread', '-sMAIN_MODULE=2',
    'main.c', `--js-library=${path.join(c.REPO, 'library_pthread_dylink.js')}`, '-o', 'main.js'], { cwd: dir, timeoutMs: 5 * 60 * 1000 });
  expect(r.stderr + r.stdout).not.toMatch(/pthreadDylink|js-compiler|error/);
  expect(r.code).toBe(0);
  const js = fs.readFileSync(path.join(dir, 'main.js'), 'utf8');
  expect(js).toContain('pthreadDylink.install(');
  expect(js).toMatch(/\b_malloc\b/);
}, 6 * 60 * 1000);

// The same under --closure 1 -Wclosure (emscripten's core2 tests): closure's type checker must not
// warn about the bundled runtime. On the newest toolchain (a closure link takes ~30 s).
const newestSupported = c.newestSupported();
(newestSupported ? test : test.skip)(`a --closure 1 -Wclosure -Werror link with the library adds no warning (${newestSupported})`, async () => {
  const dir = path.join(c.OUT, '..', 'werror', `${newestSupported}-closure`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  const r = await c.run(EM, [newestSupported, 'emcc', '-O2', '--closure', '1', '-Wclosure', '-Werror', '-Wno-experimental', '-Wno-version-check',
    '-pthread', '-sMAIN_MODULE=2', 'main.c', `--js-library=${path.join(c.REPO, 'library_pthread_dylink.js')}`, '-o', 'main.js'],
  { cwd: dir, timeoutMs: 5 * 60 * 1000, env: { EM_CLOSURE_COMPILER: c.CLOSURE_COMPILER } });
  expect(r.stderr + r.stdout).not.toMatch(/WARNING|error/);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'main.js'), 'utf8')).toContain('pthread-dylink');
}, 6 * 60 * 1000);
