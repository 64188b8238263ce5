// The runtime that library_pthread_dylink.js installs into every thread (main and workers).
// It owns no emscripten code: install() receives emscripten's functions and returns wrappers,
// which the library's __postset assigns back to emscripten's own variables.
import { SharedState } from './shared-state.js';
import { GapSlotPlanner, describeId, exportOf, slotId } from './gap-slots.js';
import { SlotOps } from './slot-ops.js';
import { runThen } from './when-settled.js';
import { tableView } from './table-view.js';
import { CARRIER_KEY, SHAPES, shapeFor } from './versions.js';

// `em` gives access to the emscripten runtime of this thread (tools/transform/install-call.mjs
// writes it): isWorker, table(), setTableEntry(i, v), carrier() (the sharedModules object),
// mem (get/set I8, I32, Ptr at a byte address), malloc, free, stackSave/Alloc/Restore,
// utf8ToString, loadedLibsByName(), dso (field offsets of struct dso), logBytes, verify, and either
// version (linked with the library) or shape (patched after linking: the transform recognised it).
export function install(em, original) {
  const shape = em.shape ? SHAPES[em.shape] : shapeFor(em.version);
  if (!shape.supported) {
    if (!em.isWorker) em.warn(`pthread-dylink: disabled: ${shape.reason}`);
    return original;
  }

  let ops = null;
  const table = tableView(em);
  // The state is created by the main thread and arrives in workers with sharedModules, which the
  // worker receives just before it instantiates anything: look it up on first use. Not earlier:
  // in some versions `sharedModules` is only assigned after library code has run.
  function slotOps() {
    if (ops) {
      // Make sure workers created from now on get it, whatever reassigned sharedModules.
      if (!em.isWorker) em.carrier()[CARRIER_KEY] ??= ops.state.buffer;
      return ops;
    }
    const carrier = em.carrier();
    let buffer = carrier[CARRIER_KEY];
    if (!buffer) {
      if (em.isWorker) {
        throw new Error('pthread-dylink: the shared table state did not reach this worker. The main ' +
          'thread and the worker must run the same build linked with --js-library library_pthread_dylink.js');
      }
      buffer = carrier[CARRIER_KEY] = SharedState.create(em.logBytes).buffer;
      if (em.verify) new SharedState(buffer).setVerifying();
    }
    const state = new SharedState(buffer);
    const id = state.nextThreadId();
    ops = new SlotOps({
      table: () => table,
      state,
      threadId: id,
      threadName: em.isWorker ? `worker thread #${id}` : 'the main thread',
      describe: (i) => describeId(slotId(table.get(i))),
      initialized: em.runtimeInitialized,
    });
    return ops;
  }

  const dso = em.dso;
  const mem = em.mem;
  function readDso(p) {
    return {
      memAddr: mem.getPtr(p + dso.mem_addr),
      memSize: mem.getI32(p + dso.mem_size),
      tableAddr: mem.getPtr(p + dso.table_addr),
      tableSize: mem.getI32(p + dso.table_size),
    };
  }
  function writeDso(p, d) {
    mem.setI8(p + dso.mem_allocated, 1);
    mem.setPtr(p + dso.mem_addr, d.memAddr);
    mem.setI32(p + dso.mem_size, d.memSize);
    mem.setPtr(p + dso.table_addr, d.tableAddr);
    mem.setI32(p + dso.table_size, d.tableSize);
  }

  function loadWebAssemblyModule(binary, flags, libName, localScope, handle) {
    const o = slotOps();
    const key = `load:${libName}`;
    const recorded = o.state.find(key);
    if (recorded) {
      if (!handle && o.table().length > recorded.start) {
        // Without a handle emscripten places the module's own table region at the current end.
        throw new Error(`pthread-dylink: ${libName} must start at table slot ${recorded.start} in ${o.threadName} ` +
          `(where ${recorded.thread} loaded it), but this thread's table is already ${o.table().length} long`);
      }
      return o.replay(recorded, libName, () => original.loadWebAssemblyModule(binary, flags, libName, localScope, handle));
    }
    // First load anywhere. A load from JS (Pyodide's loadDynamicLibrary) comes without a dso
    // handle, so emscripten would remember neither where its memory nor its table region went;
    // lend it a scratch one and keep what emscripten writes there with the op.
    // (emscripten's loadWebAssemblyModule returns a promise exactly when flags.loadAsync is set.)
    const scratch = handle ? null : scratchHandle(libName, !!flags?.loadAsync);
    return o.record(key, libName, (op) => runThen(
      () => original.loadWebAssemblyModule(binary, flags, libName, localScope, handle || scratch?.p || 0),
      (exports) => {
        if (scratch) op.dso = readDso(scratch.p);
        scratch?.release();
        return exports;
      },
      () => scratch?.release(),
    ));
  }

  // Zeroed room for a struct dso: { p, release() }, or null. A synchronous load takes it from the
  // stack (no malloc needed: MAIN_MODULE=2 builds often export none); an async one outlives the
  // caller's stack frame, so it needs malloc. Startup modules load before either may be called;
  // every thread loads those at start-up anyway, so they need no handle.
  function scratchHandle(libName, async) {
    if (!em.runtimeInitialized()) return null;
    let scratch = null;
    if (!async && em.hasStack()) {
      const top = em.stackSave();
      scratch = { p: em.stackAlloc(dso.size), release: () => em.stackRestore(top) };
    } else if (em.hasMalloc()) {
      const p = em.malloc(dso.size);
      scratch = { p, release: () => em.free(p) };
    } else {
      em.warn(`pthread-dylink: cannot record where ${libName}'s data went (an async load, and this build exports no malloc); ` +
        'a later dlopen() of it would load it anew in workers. Export _malloc and _free from the main module.');
      return null;
    }
    for (let i = 0; i < dso.size; i++) mem.setI8(scratch.p + i, 0);
    return scratch;
  }

  function loadDynamicLibrary(libName, flags, localScope, handle) {
    // dlopen() of a module that JS already loaded takes emscripten's "already loaded" path, which
    // leaves the handle looking never-loaded: every worker would then load the module as new, with
    // fresh memory for its data. Give the handle what the first load got.
    if (handle && em.loadedLibsByName()[libName] && !mem.getI8(handle + dso.mem_allocated)) {
      const op = slotOps().state.find(`load:${libName}`);
      if (op?.dso) writeDso(handle, op.dso);
    }
    return original.loadDynamicLibrary(libName, flags, localScope, handle);
  }

  let freshSlot = -1; // the last slot handed out outside any op: addFunction's new entry
  function getEmptyTableSlot() {
    const o = slotOps();
    if (o.inOp()) return o.allocate();
    // Outside ops a freed slot may be recycled (inside, slots must be taken in recorded order: a
    // recycled index would differ per thread).
    // (Number: under MEMORY64 emscripten's own slots can be BigInts, a slot note must be JSON.)
    freshSlot = em.freeTableIndexes().length ? Number(em.freeTableIndexes().pop()) : o.allocate();
    return freshSlot;
  }

  // dlsym() of a function not yet in the table appends a slot, and C replays that dlsym in every
  // other thread (_dlsym_catchup_js) by symbol index. Make the replay take the same slot.
  // Called from wasm: under MEMORY64 its pointers arrive as BigInts (emscripten's own function
  // converts its copies; ours are for this wrapper's reads).
  function _dlsym_js(handle, symbol, symbolIndex) {
    const o = slotOps();
    const indexAt = Number(symbolIndex);
    mem.setI32(indexAt, -1);
    const name = em.utf8ToString(Number(symbol));
    return o.record(() => {
      const index = mem.getI32(indexAt);
      return index === -1 ? null : `dlsym:${handle}:${index}`;
    }, `dlsym(${name})`, () => original._dlsym_js(handle, symbol, symbolIndex), `dlsym-name:${handle}:${name}`);
  }

  function _dlsym_catchup_js(handle, symbolIndex) {
    return slotOps().run(`dlsym:${handle}:${symbolIndex}`, `dlsym catch-up of symbol #${symbolIndex}`,
      () => original._dlsym_catchup_js(handle, symbolIndex));
  }

  // Gap slots (see gap-slots.js): an entry added outside any module load exists on its own thread
  // only. Write down what it is, so other threads can put the same export there or say why not.
  function addFunction(func, sig) {
    freshSlot = -1;
    const slot = Number(original.addFunction(func, sig));
    const o = slotOps();
    // Only a new entry is a gap slot: addFunction returns the slot of a function already in the
    // table (a module's export got one as the module loaded), and inside an op, or during
    // start-up, every thread makes the same entries anyway.
    if (slot !== freshSlot || !em.runtimeInitialized() || o.inOp()) return slot;
    // A wasm function goes into the table as itself; a JS one as a wrapper.
    const inTable = o.table().get(slot);
    if (inTable !== func) {
      o.note({ key: `slot:${slot}`, note: 'js', slot, sig, label: 'a JS function added with addFunction' });
      return slot;
    }
    const found = exportOf(func, em.loadedLibsByName());
    const fp = o.state.verifying ? [[slot, slotId(func)]] : undefined;
    o.note(found
      ? { key: `slot:${slot}`, note: 'wasm', slot, sig, ...found, fp, label: `export ${found.symbol} of ${found.module}, added with addFunction` }
      : { key: `slot:${slot}`, note: 'wasm-unknown', slot, sig, fnId: slotId(func), label: 'a wasm function no loaded module exports, added with addFunction' });
    return slot;
  }

  function removeFunction(index) {
    original.removeFunction(index);
    const slot = Number(index);
    if (em.runtimeInitialized()) slotOps().note({ key: `slot:${slot}`, note: 'freed', slot, label: 'a slot freed with removeFunction' });
  }

  // Each pthread start on a worker: fill the gap slots other threads noted since the last start.
  // First catch up on module loads, as emscripten is about to anyway; then the table may grow to
  // reach the gap slots, but never past the start of a load this thread has yet to replay (one
  // with a table region must find the table ending exactly there: 6.x asserts it).
  let planner = null;
  const appliedWasmNotes = [];
  function invokeEntryPoint(ptr, arg) {
    const o = slotOps();
    planner ??= new GapSlotPlanner(o.threadId);
    o.state.catchUp();
    // Nothing noted since the last start and no verify mode: emscripten's own start, untouched
    // (one shared-memory read for the log, one for the flag).
    const work = planner.hasWork(o.state.slotNotes);
    const verifying = o.state.verifying;
    if (!work && !verifying) return original.invokeEntryPoint(ptr, arg);
    em.dlsyncSelf();
    o.state.catchUp();
    if (planner.hasWork(o.state.slotNotes)) {
      const reach = Math.max(table.length, o.growLimit());
      const actions = planner.plan(o.state.slotNotes, reach);
      for (const { slot, note } of actions) {
        o.growTo(slot + 1);
        table.set(slot, gapSlotValue(note, o.threadName));
        if (note.fp) appliedWasmNotes.push(note);
      }
    }
    if (verifying) o.verify([...o.replayed, ...appliedWasmNotes]);
    return original.invokeEntryPoint(ptr, arg);
  }

  function gapSlotValue(note, here) {
    if (note.note === 'freed') return null;
    if (note.note === 'wasm') {
      const func = em.loadedLibsByName()[note.module]?.exports?.[note.symbol];
      if (typeof func === 'function') return func;
      return stub(note, `holds export ${note.symbol} of ${note.module}, which ${note.thread} added with addFunction, ` +
        `but ${here} has not loaded ${note.module} (loaded from JS only? dlopen() it so every thread loads it)`);
    }
    if (note.note === 'wasm-unknown') {
      return stub(note, `holds wasm function #${note.fnId}, which ${note.thread} added with addFunction; no loaded ` +
        `module exports it, so ${here} cannot find its copy. Add exported functions, or add it on this thread`);
    }
    return stub(note, `holds a JS function (signature '${note.sig}') that ${note.thread} added with addFunction; JS ` +
      `functions exist only on the thread that added them, so it cannot run in ${here}. Call it on that thread ` +
      'instead (for the main thread: MAIN_THREAD_EM_ASM, emscripten_sync_run_in_main_thread or a proxying queue).');
  }

  // A function of the slot's signature that throws `what`; without a signature (wasm functions
  // need none to be added) or without the means to wrap JS, the slot stays empty.
  function stub(note, what) {
    const convert = em.convertJsFunctionToWasm();
    if (!note.sig || !convert) return null;
    const message = `pthread-dylink: table slot ${note.slot} ${what}`;
    return convert(() => { throw new Error(message); }, note.sig);
  }

  // Only what this build has (a MAIN_MODULE=2 program that never calls dlsym has no dlsym glue).
  const wrappers = {
    loadWebAssemblyModule, loadDynamicLibrary, getEmptyTableSlot, _dlsym_js, _dlsym_catchup_js, addFunction, removeFunction, invokeEntryPoint,
  };
  return Object.fromEntries(Object.keys(original).map((name) => [name, wrappers[name]]));
}
