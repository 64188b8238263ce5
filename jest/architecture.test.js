'use strict';
// Issue 22's shape, kept: the emscripten functions the plugin wraps are named in one source file
// (src/emscripten-api.js; the library, the install call and the anchors are generated from it),
// and every function of the runtime fits on a screen.
const fs = require('fs');
const vm = require('vm');
const path = require('path');
const acorn = require('acorn');
const walk = require('acorn-walk');
const { WRAPPED, RUNTIME, libraryDeps } = require('../src/emscripten-api.js');
const { install } = require('../src/runtime.js');

const REPO = path.join(__dirname, '..');
const DECLARATION = 'src/emscripten-api.js';
// The plugin itself (runtime, library template, transform, build, package entry), not the tools
// and tests that build programs with it.
const PLUGIN_SOURCES = [
  ...fs.readdirSync(path.join(REPO, 'src')).filter((f) => f.endsWith('.js')).map((f) => `src/${f}`),
  ...fs.readdirSync(path.join(REPO, 'tools/transform')).map((f) => `tools/transform/${f}`),
  'tools/build.mjs', 'tools/library-template.js', 'tools/cli.mjs', 'tools/api.mjs', 'index.js',
];
const MAX_FUNCTION_LINES = 60;

function parse(file) {
  // The library template holds /*PLACEHOLDERS*/ where the build puts values.
  const text = fs.readFileSync(path.join(REPO, file), 'utf8').replace(/\/\*[A-Z_]+\*\//g, 'null');
  return acorn.parse(text, { ecmaVersion: 'latest', sourceType: /^(src|tools\/transform)\/|\.mjs$/.test(file) ? 'module' : 'script', locations: true });
}

// Identifiers, string literals and regular expressions naming `names` in `file` (comments and message text do not count).
function codeReferences(file, names) {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  const hits = [];
  const opts = { ecmaVersion: 'latest', sourceType: 'module', locations: true };
  for (const token of acorn.tokenizer(text, opts)) {
    const named = token.type.label === 'regexp' ? [...names].find((n) => token.value.pattern.includes(n))
      : (token.type.label === 'name' || token.type.label === 'string') && names.has(token.value) && token.value;
    if (named) hits.push(`${file}:${token.loc.start.line} ${named}`);
  }
  return hits;
}

test('each wrapped emscripten function is named in the plugin\'s code in one file only', () => {
  const names = new Set([...Object.keys(WRAPPED), ...Object.values(WRAPPED).map((w) => w.symbol),
    ...Object.keys(WRAPPED).map((n) => n.replace(/^_/, ''))]);
  const elsewhere = PLUGIN_SOURCES.filter((f) => f !== DECLARATION).flatMap((f) => codeReferences(f, names));
  expect(elsewhere).toEqual([]);
  expect(codeReferences(DECLARATION, names).length).toBeGreaterThanOrEqual(Object.keys(WRAPPED).length);
});

test('the generated library depends on every symbol the declaration wraps or uses, and no other', () => {
  const library = fs.readFileSync(path.join(REPO, 'library_pthread_dylink.js'), 'utf8');
  const deps = JSON.parse(library.match(/\$pthreadDylink__deps: pthreadDylinkDeps\((\{[^}]*\})\)/)[1]);
  expect(deps).toEqual(libraryDeps());
  for (const { symbol } of Object.values(WRAPPED)) expect([...deps.always, ...deps.ifDefined]).toContain(symbol);
  for (const name of Object.keys(RUNTIME)) expect(library).toContain(`${name}: `);
});

// The library evaluated as emscripten's JS compiler would, with the library of a version that
// defines `defined` among the optional wrapped symbols: what it depends on and what it wraps.
function linkLibraryAgainst(defined) {
  const library = fs.readFileSync(path.join(REPO, 'library_pthread_dylink.js'), 'utf8');
  const always = libraryDeps().always;
  const emscriptenLibrary = Object.fromEntries([...always, ...defined].map((s) => [s, () => {}]));
  let added = null;
  vm.runInNewContext(library, {
    EMSCRIPTEN_VERSION: '5.0.3', MAIN_MODULE: 1, PTHREADS: 1, LibraryManager: { library: emscriptenLibrary },
    addToLibrary: (lib) => { added = lib; }, error: (m) => { throw new Error(m); }, extraLibraryFuncs: [],
  });
  return added;
}

test('the library wraps a version\'s own dlsync entry only where that version defines it', () => {
  const optional = libraryDeps().ifDefined;
  const before503 = linkLibraryAgainst(optional.filter((s) => s !== '$dlsyncThreadsAsync'));
  expect(before503.$pthreadDylink__deps).toContain('_emscripten_dlsync_threads_async');
  expect(before503.$pthreadDylink__deps).not.toContain('$dlsyncThreadsAsync');
  expect(before503.$pthreadDylink__postset).toContain('__emscripten_dlsync_threads_async = wrapped.__emscripten_dlsync_threads_async;');
  expect(before503.$pthreadDylink__postset).not.toMatch(/\bdlsyncThreadsAsync\b|\/\*if /);
  const since503 = linkLibraryAgainst(optional.filter((s) => s !== '_emscripten_dlsync_threads_async'));
  expect(since503.$pthreadDylink__deps).toContain('$dlsyncThreadsAsync');
  expect(since503.$pthreadDylink__deps).not.toContain('_emscripten_dlsync_threads_async');
  expect(since503.$pthreadDylink__postset).toContain('dlsyncThreadsAsync = wrapped.dlsyncThreadsAsync;');
  expect(since503.$pthreadDylink__postset).not.toMatch(/__emscripten_dlsync_threads_async|\/\*if /);
  new vm.Script(since503.$pthreadDylink__postset.replace(/\{\{\{[^}]*\}\}\}/g, '0'));
});

test('install() wraps exactly the functions it is given, each from the declaration', () => {
  const originals = Object.fromEntries(Object.keys(WRAPPED).map((n) => [n, () => n]));
  const wrapped = install({ version: '6.0.8', isWorker: false, warn: () => {} }, originals);
  expect(Object.keys(wrapped)).toEqual(Object.keys(WRAPPED));
  for (const fn of Object.values(wrapped)) expect(typeof fn).toBe('function');
  const some = { loadWebAssemblyModule: originals.loadWebAssemblyModule };
  expect(Object.keys(install({ version: '6.0.8', isWorker: false, warn: () => {} }, some))).toEqual(['loadWebAssemblyModule']);
});

test(`no function of the plugin is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long = [];
  for (const file of PLUGIN_SOURCES) {
    walk.full(parse(file), (node) => {
      if (!/Function/.test(node.type)) return;
      const lines = node.loc.end.line - node.loc.start.line + 1;
      if (lines > MAX_FUNCTION_LINES) long.push(`${file}:${node.loc.start.line} ${node.id?.name || '(anonymous)'}: ${lines} lines`);
    });
  }
  expect(long).toEqual([]);
});
