// Gap slots, the reading side (see gap-slots.js): each pthread start on a worker fills the gap
// slots other threads noted since the last start. Wraps emscripten's pthread entry point.
import { GapSlotPlanner, loadedExport } from './gap-slots.js';
import { fromBase64, resolveImports } from './js-instances.js';
import { TextCache } from './shared-state.js';
import { originalWebAssembly } from './watch-webassembly.js';

export function wrapThreadStart(thread, original) {
  let filler = null;
  return function startThread(ptr, arg) {
    filler ??= new GapFiller(thread);
    filler.beforeStart();
    return original(ptr, arg);
  };
}

class GapFiller {
  constructor(thread) {
    this.thread = thread;
    this.ops = thread.ops();
    this.planner = new GapSlotPlanner(this.ops.threadId);
    this.appliedWasmNotes = []; // for the verify mode
    this.instances = new Map(); // module record key → this thread's copy of that JS-made instance
    this.plainNote = { slot: 0, moduleAt: 0, symbolAt: 0 }; // fillOne()'s, reused
    // fillOne()'s exports found before, by where their symbol and module names are in the note
    // text (~100 KB, made on first use). Never stale: note text is never rewritten, and emscripten
    // never unloads a module (its dlclose, musl's, only checks the handle), so a found export
    // stays this thread's.
    this.exportsByText = null;
  }

  // First catch up on module loads, as emscripten is about to anyway; then the table may grow to
  // reach the gap slots, but never past the start of a load this thread has yet to replay (one
  // with a table region must find the table ending exactly there: 6.x asserts it).
  beforeStart() {
    const o = this.ops;
    o.state.catchUp();
    // Nothing noted since the last start and no verify mode: emscripten's own start, untouched
    // (one shared-memory read for the log, one for the flag).
    const verifying = o.state.verifying;
    if (!this.planner.hasWork(o.state.noteCount) && !verifying) return;
    if (!verifying && this.fillOne()) return;
    this.thread.em.dlsyncSelf();
    o.state.catchUp();
    // (Quietly: these writes are the notes themselves, not new ones. Only the main thread follows
    // writes today, and it starts no pthreads; kept so the rule holds wherever fills run.)
    if (this.planner.hasWork(o.state.noteCount)) this.thread.quietly(() => this.fill());
    if (verifying) o.verify([...o.replayed, ...this.appliedWasmNotes]);
  }

  // The usual start after an addFunction or removeFunction: one new note, another thread's, for
  // an export of a module this thread has loaded or a freed slot, in a slot its table reaches.
  // What fill() would do with it, without the rest of fill() (dlsync, note objects, lists, how
  // far the table may grow): each object and code page a start touches after the worker's sleep
  // costs it here, and skipping them took ~0.3-0.4 µs off a start of ~0.7-1.4 µs (measured, the
  // two alternated in one process). False, having changed nothing, for anything else.
  fillOne() {
    const planner = this.planner;
    const state = this.ops.state;
    const found = this.plainNote;
    if (!planner.onlyOneNew(state.noteCount) || !state.readPlainNote(planner.seen, planner.threadId, found)) return false;
    if (!this.thread.table.reaches(found.slot)) return false;
    let value = null; // a freed slot
    if (found.symbolAt !== 0) {
      value = this.exportAt(found.moduleAt, found.symbolAt);
      if (!value) return false;
    }
    this.thread.setQuietly(found.slot, value);
    planner.appliedOne();
    return true;
  }

  // This thread's copy of the export whose module and symbol names are at those note-text
  // offsets, or null. An export filled before is one cache lookup, where its two names and the
  // two objects they index (the loaded modules, then the module's exports) took ~0.1 µs more of a
  // one-note start after a sleep (measured, alternated: ~1.0 against ~0.9 µs here). A new export
  // costs what it did: its symbol's name decoded (~0.45 µs) and looked up in the module's
  // exports for the first time (~1.1 µs in a module of 55,000 exports), both measured after a
  // sleep on this machine, where each page touched then misses the TLB.
  exportAt(moduleAt, symbolAt) {
    const known = (this.exportsByText ??= new TextCache());
    let value = known.get(symbolAt, moduleAt);
    if (value === undefined) {
      const state = this.ops.state;
      value = loadedExport(this.thread.em.loadedLibsByName(), state.nameAt(moduleAt), state.nameAt(symbolAt));
      if (value) known.set(symbolAt, moduleAt, value);
    }
    return value;
  }

  fill() {
    const o = this.ops;
    const table = this.thread.table;
    const fresh = o.state.notesFrom(this.planner.seen);
    // The usual start after an addFunction: a slot the table already reaches, and no need to
    // work out how far it may grow (that walks the loads this thread may still replay).
    const reach = this.planner.reachesAll(fresh, table) ? Infinity : Math.max(table.length, o.growLimit());
    const actions = this.planner.plan(fresh, reach);
    // One grow to the farthest slot (growing one slot at a time copies the table each time).
    let end = 0;
    for (const note of actions) end = Math.max(end, note.slot + 1);
    if (!table.reaches(end - 1)) o.growTo(end);
    const libs = this.thread.em.loadedLibsByName();
    for (const note of actions) {
      table.set(note.slot, this.valueFor(note, libs));
      if (note.fp) this.appliedWasmNotes.push(note);
    }
  }

  // libs: emscripten's LDSO.loadedLibsByName (modules this thread has loaded, by name).
  valueFor(note, libs) {
    if (note.note === 'freed') return null;
    if (note.note === 'wasm') {
      const func = loadedExport(libs, note.module, note.symbol);
      if (func) return func;
      return this.stub(note, `holds export ${note.symbol} of ${note.module}, which ${note.thread} ${note.how || 'added with addFunction'}, ` +
        `but ${this.ops.threadName} has not loaded ${note.module} (loaded from JS only? dlopen() it so every thread loads it)`);
    }
    if (note.note === 'wasm-instance') return this.instanceExport(note);
    if (note.note === 'wasm-unknown') {
      return this.stub(note, `holds wasm function #${note.fnId}, which ${note.thread} ${note.how || 'added with addFunction'}; no loaded ` +
        `module exports it, so ${this.ops.threadName} cannot find its copy (nor make one: its instance was not created from bytes ` +
        'seen here, as WebAssembly.instantiateStreaming hides them, or its module is over 64 KiB). Add exported ' +
        'functions, or add it on this thread');
    }
    return this.stub(note, `holds a JS function (signature '${note.sig}') that ${note.thread} added with addFunction; JS ` +
      `functions exist only on the thread that added them, so it cannot run in ${this.ops.threadName}. Call it on that thread ` +
      'instead (for the main thread: MAIN_THREAD_EM_ASM, emscripten_sync_run_in_main_thread or a proxying queue).');
  }

  // This thread's copy of an export of an instance another thread created from JS: the same
  // bytes, instantiated with this thread's table, memory and module exports (one instance per
  // original, however many of its exports get slots).
  instanceExport(note) {
    let made = this.instances.get(note.instance);
    if (!made) {
      made = this.instantiate(note);
      if (made.blocked) {
        // The reason early: a C caller may keep only the start of the message.
        return this.stub(note, `holds export ${note.export} of a JS-made wasm instance that ${this.ops.threadName} ` +
          `cannot copy: ${made.blocked} (the instance is ${note.thread}'s, ${note.how || 'added with addFunction'})`);
      }
      this.instances.set(note.instance, made);
    }
    return made.instance.exports[note.export];
  }

  instantiate(note) {
    const record = this.ops.state.find(note.instance);
    if (!record) return { blocked: 'its module never reached the shared log' };
    const imports = resolveImports(note.imports, this.thread.programParts());
    if (imports.blocked) return imports;
    const wa = originalWebAssembly();
    try {
      return { instance: new wa.Instance(new wa.Module(fromBase64(record.bytes)), imports.object) };
    } catch (e) {
      return { blocked: `instantiating it here failed: ${e.message}` };
    }
  }

  // A function of the slot's signature that throws `what`; without a signature (wasm functions
  // need none to be added) or without the means to wrap JS, the slot stays empty.
  stub(note, what) {
    const convert = this.thread.em.convertJsFunctionToWasm();
    if (!note.sig || !convert) return null;
    const message = `pthread-dylink: table slot ${note.slot} ${what}`;
    return convert(() => { throw new Error(message); }, note.sig);
  }
}
