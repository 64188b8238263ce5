// This thread's side of the plugin: emscripten's runtime here (`em`, which the install call
// writes: tools/transform/install-call.mjs), its table, and the shared state every thread reads.
import { SharedState } from './shared-state.js';
import { describeId, slotId } from './verify.js';
import { SlotOps } from './slot-ops.js';
import { tableView } from './table-view.js';
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
  }

  // The state is created by the main thread and arrives in workers with sharedModules, which the
  // worker receives just before it instantiates anything: look it up on first use. Not earlier:
  // in some versions `sharedModules` is only assigned after library code has run.
  ops() {
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

  warn(message) {
    this.em.warn(message);
  }
}
