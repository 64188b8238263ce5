'use strict';
// The two implementations of one algorithm, behind one interface, so the same tests run against
// both (jest/table-sync-contract.test.js):
//   - ours: src/ as the plugin installs it (install() over emscripten's functions);
//   - upstream: TableSync of the upstream patch (src/lib/libdylink_tablesync.js in
//     upstream/emscripten-V.patch), preprocessed as emscripten's JS compiler would (ASSERTIONS off)
//     and called from the places the patch calls it.
// Each thread is emscripten's table steps run on a real WebAssembly.Table: `emscriptenThread`
// below, reduced from 6.0.8's libaddfunction.js/libdylink.js to what touches the table.
const fs = require('fs');
const path = require('path');
const { install } = require('../src/runtime.js');
const { CARRIER_KEY } = require('../src/versions.js');
const { UPSTREAM_PATCH } = require('../tools/conformance');
const { jsAsWasm, table } = require('./wasm-fixtures');

const isWasm = (f) => typeof f === 'function' && /^\d+$/.test(f.name);

// getEmptyTableSlot, addFunction, removeFunction, a module load (its own region at the table's
// end, then a GOT.func slot per address-taken function, through addFunction) and a pthread start.
// Each calls the others through `em`, as emscripten's code calls the (wrapped) globals.
function emscriptenThread(initialLength) {
  const t = table(initialLength);
  const inTable = new Map();
  const free = [];
  const libs = {};
  const em = {
    table: t, free, libs,
    getEmptyTableSlot: () => (free.length ? free.pop() : t.grow(1)),
    addFunction(func, sig) {
      if (inTable.has(func)) return inTable.get(func);
      const slot = em.getEmptyTableSlot();
      t.set(slot, isWasm(func) ? func : jsAsWasm(func));
      inTable.set(func, slot);
      em.added(slot, func, sig); // where the patch calls TableSync.noteAdded
      return slot;
    },
    removeFunction(slot) {
      inTable.delete(t.get(slot));
      t.set(slot, null);
      free.push(slot);
      em.freed(slot); // where the patch calls TableSync.noteFreed
    },
    // binary: { region, got: [functions whose address it takes], exports: { name: function },
    // fails }, as the test describes the module.
    loadWebAssemblyModule(binary, flags, libName) {
      const base = t.length;
      if (binary.region) t.grow(binary.region);
      if (binary.fails) throw new Error(`${libName}: ${binary.fails}`);
      const slots = (binary.got || []).map((f) => em.addFunction(f));
      libs[libName] = { exports: binary.exports || {} };
      return { base, slots };
    },
    invokeEntryPoint() {},
    added() {},
    freed() {},
  };
  return em;
}

const WRAPPED_HERE = ['getEmptyTableSlot', 'addFunction', 'removeFunction', 'loadWebAssemblyModule', 'invokeEntryPoint'];

function threadInterface(name, em) {
  return {
    name,
    table: em.table,
    load: (libName, module) => em.loadWebAssemblyModule(module, {}, libName, {}, 0),
    addFunction: (func, sig = 'i') => em.addFunction(func, sig),
    removeFunction: (slot) => em.removeFunction(slot),
    startPthread: () => em.invokeEntryPoint(0, 0),
  };
}

function oursWorld() {
  const carrier = {};
  let workers = 0;
  return {
    thread(name, { worker = false, initialLength = 4 } = {}) {
      const em = emscriptenThread(initialLength);
      const runtime = {
        isWorker: worker, version: '6.0.8', carrier: () => carrier, table: () => em.table,
        setTableEntry: (i, v) => em.table.set(i, v), runtimeInitialized: () => true, dso: {},
        loadedLibsByName: () => em.libs, freeTableIndexes: () => em.free, dlsyncSelf: () => {},
        convertJsFunctionToWasm: () => (fn) => jsAsWasm(fn), hasStack: () => false, hasMalloc: () => false, warn: () => {},
      };
      if (worker) workers++;
      const originals = Object.fromEntries(WRAPPED_HERE.map((n) => [n, em[n]]));
      Object.assign(em, install(runtime, originals));
      return threadInterface(name, em);
    },
    get shared() { return carrier[CARRIER_KEY]; },
    workers: () => workers,
  };
}

// The patch's new library file, as the lines it adds.
function upstreamLibrarySource() {
  const patch = fs.readFileSync(UPSTREAM_PATCH, 'utf8');
  const file = patch.split(/^diff --git /m).find((part) => part.startsWith('a/src/lib/libdylink_tablesync.js'));
  if (!file) throw new Error(`${path.basename(UPSTREAM_PATCH)} adds no src/lib/libdylink_tablesync.js`);
  return file.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1)).join('\n');
}

// Emscripten's preprocessor, for this file: #if blocks (the settings: MAIN_MODULE, PTHREADS on,
// ASSERTIONS off), and {{{ }}} macros evaluated as its JS compiler does, with the heap reached
// through heapGet/heapSet on a struct-dso field name.
function preprocess(source) {
  const settings = { MAIN_MODULE: 1, PTHREADS: 1, ASSERTIONS: 0 };
  const out = [];
  const active = [];
  for (const line of source.split('\n')) {
    const directive = line.trim().match(/^#(if|else|endif|error)\b(.*)$/);
    if (!directive) {
      if (active.every(Boolean)) out.push(line);
      continue;
    }
    const [, what, rest] = directive;
    if (what === 'if') active.push(Boolean(new Function(...Object.keys(settings), `return (${rest});`)(...Object.values(settings))));
    else if (what === 'else') active.push(!active.pop());
    else if (what === 'endif') active.pop();
  }
  const macros = {
    ASSERTIONS: settings.ASSERTIONS,
    C_STRUCTS: { dso: new Proxy({}, { get: (_, field) => field }) },
    makeGetValue: (p, field) => `heapGet(${p}, '${field}')`,
    makeSetValue: (p, field, v) => `heapSet(${p}, '${field}', ${v})`,
  };
  return out.join('\n').replace(/\{\{\{([\s\S]*?)\}\}\}/g, (_, expr) =>
    String(new Function(...Object.keys(macros), `return (${expr});`)(...Object.values(macros))));
}

// One thread's TableSync: the library object, evaluated over this thread's globals.
function upstreamTableSync(code, em, worker) {
  const make = new Function('em', `
    var wasmTable = em.table, LDSO = { loadedLibsByName: em.libs }, Module = {};
    var ENVIRONMENT_IS_PTHREAD = ${worker}, runtimeInitialized = true;
    var setWasmTableEntry = (i, v) => wasmTable.set(i, v);
    var convertJsFunctionToWasm = em.convertJsFunctionToWasm;
    var heapGet = () => { throw new Error('no struct dso in these tests'); }, heapSet = heapGet;
    var TableSync;
    function addToLibrary(library) { TableSync = library.$TableSync; }
    ${code}
    return TableSync;`);
  return make(em);
}

function upstreamWorld() {
  const code = preprocess(upstreamLibrarySource());
  let main = null;
  let workers = 0;
  return {
    thread(name, { worker = false, initialLength = 4 } = {}) {
      const em = emscriptenThread(initialLength);
      em.convertJsFunctionToWasm = (fn) => jsAsWasm(fn);
      const ts = upstreamTableSync(code, em, worker);
      // The places the patch calls TableSync from.
      if (worker) {
        workers++;
        ts.init(main.shared());
      } else {
        main = ts;
      }
      const original = { ...em };
      em.getEmptyTableSlot = () => ts.allocate(em.free);
      em.added = (slot, func, sig) => ts.noteAdded(slot, func, sig);
      em.freed = (slot) => ts.noteFreed(slot);
      em.loadWebAssemblyModule = (binary, flags, libName) => ts.run(`load:${libName}`, libName, () => original.loadWebAssemblyModule(binary, flags, libName));
      em.invokeEntryPoint = () => ts.fillGaps();
      return threadInterface(name, em);
    },
    workers: () => workers,
  };
}

// Emscripten as released: the control, on which the layout tests must fail.
function stockWorld() {
  return { thread: (name, { initialLength = 4 } = {}) => threadInterface(name, emscriptenThread(initialLength)) };
}

module.exports = { IMPLEMENTATIONS: { ours: oursWorld, upstream: upstreamWorld }, stockWorld };
