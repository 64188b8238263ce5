// This thread's side of the plugin: emscripten's runtime here (`em`, which the install call
// writes: tools/transform/install-call.mjs), its table, and the shared state every thread reads.
import { SharedState } from './shared-state.js';
import { describeId, slotId } from './verify.js';
import { SlotOps } from './slot-ops.js';
import { JsInstances } from './js-instances.js';
import { tableView } from './table-view.js';
import { watchWebAssembly } from './watch-webassembly.js';
import { noteTableWrite } from './gap-notes.js';
import { CARRIER_KEY } from './versions.js';

export class Thread {
  constructor(em) {
    this.em = em;
    this.mem = em.mem;
    this.dso = em.dso;
    this.table = tableView(em);
    this.name = em.isWorker ? 'a worker thread' : 'the main thread';
    this.slotOps = null;
    // Slots handed out outside ops, so addFunction can tell a new entry from an old one.
    this.freshSlots = { taken: 0, last: -1 };
    // Modules compiled and instances created from JS, outside module loads (js-instances.js).
    this.jsInstances = new JsInstances();
    if (typeof WebAssembly == 'object') watchWebAssembly(this.jsInstances, () => !!this.slotOps?.inOp());
    this.quiet = 0; // > 0 while emscripten's or the plugin's own code writes the table
    this.dlsyncNow = null; // dlsync.js: set while the main thread catches up synchronously
    this.inEventLoopMailbox = 0; // dlsync.js: > 0 while the event loop runs proxied calls
    this.followedTable = null;
    // The main thread's preRun hooks may write the table (CPython's trampoline); workers never
    // run them. Follow the main thread's writes from before the first of them. A worker's own
    // write stays its own: it is what the verify mode exists to catch (S10), not a layout change.
    if (!em.isWorker) em.beforePreRun?.(() => this.followTableWrites());
  }

  // Run body() as a table writer the plugin already accounts for (addFunction, removeFunction,
  // gap fills): its writes are not in-place overwrites to follow.
  quietly(body) {
    this.quiet++;
    try {
      return body();
    } finally {
      this.quiet--;
    }
  }

  // quietly(() => this.table.set(slot, value)) without making a closure (a pthread start's
  // one-note fill: gap-fill.js).
  setQuietly(slot, value) {
    this.quiet++;
    try {
      this.table.set(slot, value);
    } finally {
      this.quiet--;
    }
  }

  // Every later write into the main thread's table (wasmTable.set, or setWasmTableEntry, which
  // calls it) by code the plugin does not wrap goes into the shared log as a gap-slot note.
  followTableWrites() {
    const table = this.em.table();
    if (!table || this.followedTable === table) return;
    this.followedTable = table;
    const thread = this;
    const set = table.set;
    table.set = function (i, v) {
      const result = set.call(this, i, v);
      if (!thread.quiet) noteTableWrite(thread, Number(i), v ?? null);
      return result;
    };
  }

  // The state is created by the main thread and arrives in workers with sharedModules, which the
  // worker receives just before it instantiates anything: look it up on first use. Not earlier:
  // in some versions `sharedModules` is only assigned after library code has run.
  ops() {
    // (Each time: 4.0.19+ re-points wasmTable at the module's exported table once it exists.)
    if (!this.em.isWorker) this.followTableWrites();
    if (this.slotOps) {
      // Make sure workers created from now on get it, whatever reassigned sharedModules.
      if (!this.em.isWorker) this.em.carrier()[CARRIER_KEY] ??= this.slotOps.state.buffer;
      return this.slotOps;
    }
    const state = new SharedState(this.sharedBuffer());
    const id = state.nextThreadId();
    this.name = this.em.isWorker ? `worker thread #${id}` : 'the main thread';
    this.slotOps = new SlotOps({
      table: () => this.table,
      state,
      threadId: id,
      threadName: this.name,
      describe: (i) => describeId(slotId(this.table.get(i))),
      initialized: this.em.runtimeInitialized,
    });
    return this.slotOps;
  }

  sharedBuffer() {
    const carrier = this.em.carrier();
    if (carrier[CARRIER_KEY]) return carrier[CARRIER_KEY];
    if (this.em.isWorker) {
      throw new Error('pthread-dylink: the shared table state did not reach this worker. The main ' +
        'thread and the worker must run the same build linked with --js-library library_pthread_dylink.js');
    }
    const buffer = carrier[CARRIER_KEY] = SharedState.create(this.em.logBytes).buffer;
    if (this.em.verify) new SharedState(buffer).setVerifying();
    return buffer;
  }

  // A new slot outside any op, for getEmptyTableSlot: a freed one may be recycled (inside ops,
  // slots must be taken in recorded order: a recycled index would differ per thread).
  // (Number: under MEMORY64 emscripten's own slots can be BigInts; a slot note must be JSON.)
  takeFreshSlot() {
    const free = this.em.freeTableIndexes();
    const slot = free.length ? Number(free.pop()) : this.ops().allocate();
    this.freshSlots = { taken: this.freshSlots.taken + 1, last: slot };
    return slot;
  }

  // Whether `slot` is the one this thread handed out last, and after `mark` (freshSlots.taken).
  isFreshSince(mark, slot) {
    return this.freshSlots.taken > mark && this.freshSlots.last === slot;
  }

  // What an instance made in JS may import that every thread has its own of (js-instances.js).
  programParts() {
    return { table: this.em.table(), memory: this.em.memory?.(), libs: this.em.loadedLibsByName() };
  }

  warn(message) {
    this.em.warn(message);
  }
}
