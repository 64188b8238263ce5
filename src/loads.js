// Side-module loads: the first load anywhere is recorded, every other thread's load of the same
// module is replayed at the same table slots (slot-ops.js). Wrappers of emscripten's module
// loader and of its library loader (src/emscripten-api.js says which is which).
import { runThen } from './when-settled.js';

// Every load of a module, from C (dlopen), JS (loadDynamicLibrary) or at start-up.
export function wrapModuleLoad(thread, original) {
  return function loadModule(binary, flags, libName, localScope, handle) {
    const o = thread.ops();
    const key = `load:${libName}`;
    const recorded = o.state.find(key);
    if (recorded && !handle && o.table().length > recorded.start) {
      // Without a handle emscripten places the module's own table region at the current end.
      throw new Error(`pthread-dylink: ${libName} must start at table slot ${recorded.start} in ${o.threadName} ` +
        `(where ${recorded.thread} loaded it), but this thread's table is already ${o.table().length} long`);
    }
    const load = (h) => original(binary, flags, libName, localScope, h);
    // op: given when this thread is the first to load it (recording), absent when replaying.
    return o.run(key, libName, (op) => (op && !handle ? recordWithScratch(thread, op, libName, flags, load) : load(handle)));
  };
}

// A first load from JS (Pyodide's loadDynamicLibrary) comes without a dso handle, so emscripten
// would remember neither where its memory nor its table region went: lend it a scratch one and
// keep what emscripten writes there with the op. (emscripten's module loader returns a promise
// exactly when flags.loadAsync is set.)
function recordWithScratch(thread, op, libName, flags, load) {
  const scratch = scratchHandle(thread, libName, !!flags?.loadAsync);
  return runThen(
    () => load(scratch?.p || 0),
    (exports) => {
      if (scratch) op.dso = readDso(thread, scratch.p);
      scratch?.release();
      return exports;
    },
    () => scratch?.release(),
  );
}

// Zeroed room for a struct dso: { p, release() }, or null. A synchronous load takes it from the
// stack (no malloc needed: MAIN_MODULE=2 builds often export none); an async one outlives the
// caller's stack frame, so it needs malloc. Startup modules load before either may be called;
// every thread loads those at start-up anyway, so they need no handle.
export function scratchHandle(thread, libName, async) {
  const { em, mem, dso } = thread;
  if (!em.runtimeInitialized()) return null;
  let scratch = null;
  if (!async && em.hasStack()) {
    const top = em.stackSave();
    scratch = { p: em.stackAlloc(dso.size), release: () => em.stackRestore(top) };
  } else if (em.hasMalloc()) {
    const p = em.malloc(dso.size);
    scratch = { p, release: () => em.free(p) };
  } else {
    thread.warn(`pthread-dylink: cannot record where ${libName}'s data went (an async load, and this build exports no malloc); ` +
      'a later dlopen() of it would load it anew in workers. Export _malloc and _free from the main module.');
    return null;
  }
  for (let i = 0; i < dso.size; i++) mem.setI8(scratch.p + i, 0);
  return scratch;
}

// dlopen() of a module that JS already loaded takes emscripten's "already loaded" path, which
// leaves the handle looking never-loaded: every worker would then load the module as new, with
// fresh memory for its data. Give the handle what the first load got.
export function wrapLibraryLoad(thread, original) {
  return function loadLibrary(libName, flags, localScope, handle) {
    const { em, mem, dso } = thread;
    if (handle && em.loadedLibsByName()[libName] && !mem.getI8(handle + dso.mem_allocated)) {
      const op = thread.ops().state.find(`load:${libName}`);
      if (op?.dso) writeDso(thread, handle, op.dso);
    }
    return original(libName, flags, localScope, handle);
  };
}

function readDso({ mem, dso }, p) {
  return {
    memAddr: mem.getPtr(p + dso.mem_addr),
    memSize: mem.getI32(p + dso.mem_size),
    tableAddr: mem.getPtr(p + dso.table_addr),
    tableSize: mem.getI32(p + dso.table_size),
  };
}

function writeDso({ mem, dso }, p, d) {
  mem.setI8(p + dso.mem_allocated, 1);
  mem.setPtr(p + dso.mem_addr, d.memAddr);
  mem.setI32(p + dso.mem_size, d.memSize);
  mem.setPtr(p + dso.table_addr, d.tableAddr);
  mem.setI32(p + dso.table_size, d.tableSize);
}
