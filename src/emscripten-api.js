// What the plugin takes from emscripten's generated JS, declared once. From this file
// tools/build.mjs computes the library's __deps, tools/transform/install-call.mjs writes the
// install call (the functions handed to install(), the assignments that put the wrappers in their
// place, the `em` object), and tools/transform/anchors.mjs finds the definitions the post-link
// transform must patch. tools/build.mjs and jest/emscripten-api.test.js keep it the only list.
import { wrapLibraryLoad, wrapModuleLoad } from './loads.js';
import { wrapSymbolCatchUp, wrapSymbolLookup } from './dlsym.js';
import { wrapFunctionAdder, wrapFunctionRemover, wrapSlotAllocator } from './gap-notes.js';
import { wrapThreadStart } from './gap-fill.js';
import { wrapAsyncDlopen, wrapCallerDlsync, wrapCallerDlsyncWithCallback, wrapEventLoopMailbox, wrapMainDlsync } from './dlsync.js';

// The functions the plugin wraps, by their name in the generated JS (a library symbol loses its
// `$`; one C calls keeps its `_`, so `_dlsym_js` is emitted as `__dlsym_js`).
//   symbol    the library symbol (what __deps names); absent: a dependency of another symbol
//   kind      how 3.1.69 … 6.0.8 all define it: 'var' (`var f = (…) => …`) or 'function', or
//             both, as a list, where versions or build settings differ
//   params    as the transform must find them (others: an emscripten it does not know)
//   optional  some builds lack it (a MAIN_MODULE=2 program that never calls dlsym() has no dlsym
//             glue; one without -sALLOW_TABLE_GROWTH use no addFunction), or some versions (the
//             dlsync entries changed in 5.0.3): nothing to wrap then. The library route depends
//             on it only where the version's library defines it.
//   says      what a build that defines it is, for the transform: 'main module' (the module
//             loader, which also holds the struct dso stores the transform reads offsets from)
//             or 'dlsync' (synced dlopen between threads: 3.1.27+)
//   wrap(thread, original) → the wrapper
export const WRAPPED = {
  loadWebAssemblyModule: { symbol: '$loadWebAssemblyModule', kind: 'var', params: ['binary', 'flags', 'libName', 'localScope', 'handle'], says: 'main module', wrap: wrapModuleLoad },
  loadDynamicLibrary: { symbol: '$loadDynamicLibrary', kind: 'function', params: ['libName', 'flags', 'localScope', 'handle'], wrap: wrapLibraryLoad },
  getEmptyTableSlot: { symbol: '$getEmptyTableSlot', kind: 'var', params: [], wrap: wrapSlotAllocator },
  __dlsym_js: { symbol: '_dlsym_js', kind: 'var', params: ['handle', 'symbol', 'symbolIndex'], optional: true, wrap: wrapSymbolLookup },
  __dlsym_catchup_js: { symbol: '_dlsym_catchup_js', kind: 'var', params: ['handle', 'symbolIndex'], optional: true, says: 'dlsync', wrap: wrapSymbolCatchUp },
  addFunction: { symbol: '$addFunction', kind: 'var', params: ['func', 'sig'], optional: true, wrap: wrapFunctionAdder },
  removeFunction: { symbol: '$removeFunction', kind: 'var', params: ['index'], optional: true, wrap: wrapFunctionRemover },
  invokeEntryPoint: { symbol: '$invokeEntryPoint', kind: 'var', params: ['ptr', 'arg'], optional: true, wrap: wrapThreadStart },
  // The dlsync of a dlopen (src/dlsync.js): the main thread's part of a pthread's dlopen (5.0.3+;
  // before: the second, which ends with a callback), a main-thread dlopen's wait for the others,
  // and the asynchronous load the main thread's part uses.
  dlsyncThreadsAsync: { symbol: '$dlsyncThreadsAsync', kind: 'var', params: [], optional: true, wrap: wrapCallerDlsync },
  __emscripten_dlsync_threads_async: { symbol: '_emscripten_dlsync_threads_async', kind: 'var', params: ['caller', 'callback', 'ctx'], optional: true, wrap: wrapCallerDlsyncWithCallback },
  __emscripten_dlsync_threads: { symbol: '_emscripten_dlsync_threads', kind: ['var', 'function'], params: [], optional: true, wrap: wrapMainDlsync },
  // The main thread's event-loop entry to its proxied calls (the worker's 'checkMailbox' message):
  // a pthread's dlsync that arrives this way can go emscripten's asynchronous way.
  checkMailbox: { symbol: '$checkMailbox', kind: 'var', params: [], optional: true, wrap: wrapEventLoopMailbox },
  // -sMEMORY64 builds define it as a function (its pointer parameters converted first).
  __emscripten_dlopen_js: { symbol: '_emscripten_dlopen_js', kind: ['var', 'function'], params: ['handle', 'onsuccess', 'onerror', 'user_data'], optional: true, wrap: wrapAsyncDlopen },
};

// The wrapped function whose definition says `what` (see `says`).
export function wrappedThatSays(what) {
  return Object.keys(WRAPPED).find((name) => WRAPPED[name].says === what);
}

// The `em` object install() receives: this thread's emscripten runtime, each member as the JS the
// install call writes (looked up when called: wasm exports are assigned after it runs) and the
// library symbols it needs. Members the two routes write differently (version or shape, dso
// offsets, heap accessors, the table write) come from the route: install-call.mjs.
export const RUNTIME = {
  isWorker: { js: '!!ENVIRONMENT_IS_PTHREAD' },
  table: { js: 'function () { return wasmTable; }', uses: ['$wasmTable'] },
  carrier: { js: 'function () { return sharedModules; }' },
  memory: { js: "function () { return typeof wasmMemory != 'undefined' ? wasmMemory : undefined; }" },
  hasMalloc: { js: "function () { return typeof _malloc == 'function'; }", uses: ['malloc', 'free'] },
  malloc: { js: 'function (n) { return _malloc(n); }' },
  free: { js: 'function (p) { _free(p); }' },
  // A synchronous load's scratch handle comes from the stack, so a build that exports no
  // malloc (MAIN_MODULE=2) still records where a JS-loaded module's data went.
  hasStack: {
    js: "function () { return typeof stackAlloc == 'function' && typeof stackSave == 'function' && typeof stackRestore == 'function'; }",
    uses: ['$stackSave', '$stackAlloc', '$stackRestore'],
  },
  stackSave: { js: 'function () { return stackSave(); }' },
  stackAlloc: { js: 'function (n) { return stackAlloc(n); }' },
  stackRestore: { js: 'function (p) { stackRestore(p); }' },
  utf8ToString: { js: 'function (p) { return UTF8ToString(p); }', uses: ['$UTF8ToString'] },
  loadedLibsByName: { js: 'function () { return LDSO.loadedLibsByName; }', uses: ['$LDSO'] },
  freeTableIndexes: { js: 'function () { return freeTableIndexes; }', uses: ['$freeTableIndexes'] },
  runtimeInitialized: { js: 'function () { return runtimeInitialized; }' },
  dlsyncSelf: { js: 'function () { __emscripten_dlsync_self(); }' },
  convertJsFunctionToWasm: {
    js: "function () { return typeof convertJsFunctionToWasm == 'function' ? convertJsFunctionToWasm : null; }",
    uses: ['$convertJsFunctionToWasm'],
  },
  warn: { js: 'function (m) { err(m); }' },
  // Ahead of every preRun hook the program has (emscripten's preRun() reads the list when it runs).
  beforePreRun: {
    js: "function (f) { var pre = Module['preRun']; Module['preRun'] = [f].concat(typeof pre == 'function' ? [pre] : pre || []); }",
  },
  // The dlsync (src/dlsync.js). The thread a proxied call came from (0: none).
  proxiedCaller: { js: 'function () { return PThread.currentProxiedOperationCallerThread || 0; }' },
  liveThreads: { js: 'function () { return Object.keys(PThread.pthreads).map(Number).filter(function (p) { return !PThread.finishedThreads.has(p); }); }' },
  // Queue a dlsync request for thread p: 0 when p is gone or asleep in a futex wait (3.1.69 …
  // 5.0.3: it answers as it wakes), else 1 (the request's promise settles when p answers).
  queueDlsync: { js: 'function (p) { return __emscripten_proxy_dlsync_async(p, makePromise().id); }', uses: ['_emscripten_proxy_dlsync_async', '$makePromise'] },
  proxyDlsync: { js: 'function (p) { return __emscripten_proxy_dlsync(p); }', uses: ['_emscripten_proxy_dlsync'] },
  // This thread's catch-up on dlopens: { promise, settled() } (whether it finished before returning).
  dlsyncSelfAsync: {
    js: 'function () { var info = makePromise(), settled = false, resolve = info.resolve; ' +
      'info.resolve = function (v) { settled = true; resolve(v); }; __emscripten_dlsync_self_async(info.id); ' +
      'return { promise: info.promise, settled: function () { return settled; } }; }',
    uses: ['_emscripten_dlsync_self_async', '$makePromise'],
  },
  dlopenSync: { js: 'function (h) { return __dlopen_js(h); }', uses: ['_dlopen_js'] },
  // Call a C function pointer with pointer arguments (BigInts where the table is a table64).
  callPointer: {
    js: "function (f) { var big = typeof wasmTable.length == 'bigint'; var as = function (v) { return big ? BigInt(v) : Number(v); }; " +
      'return wasmTable.get(as(f)).apply(null, Array.prototype.slice.call(arguments, 1).map(as)); }',
  },
  logBytes: { js: "Module['pthreadDylinkLogBytes']" },
  verify: { js: "!!Module['pthreadDylinkVerify']" },
};

// The library's __deps: every symbol wrapped or used. (Not '$setWasmTableEntry', which the
// library route's table write calls: emscripten marks it internal and warns about a user library
// that names it, an error under -Werror; $addFunction depends on it.)
// Those of optional wrapped functions go in `ifDefined`: the library keeps them where the
// version's library defines them (a missing one would be an undefined symbol).
export function libraryDeps() {
  const wrapped = Object.values(WRAPPED).filter((w) => !w.optional).map((w) => w.symbol);
  const used = Object.values(RUNTIME).flatMap((r) => r.uses || []);
  return { always: [...new Set([...wrapped, ...used])], ifDefined: Object.values(WRAPPED).filter((w) => w.optional).map((w) => w.symbol) };
}
