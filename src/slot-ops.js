// Record a table-appending op in the first thread that runs it; replay it slot for slot in every
// other thread. An "op" is anything emscripten repeats in each thread and that appends table
// entries as it goes: loading a side module, or the table slot dlsym() adds for a function.
//
// Why slot for slot: a side module's function addresses are GOT.func entries appended while it
// loads, at whatever the thread's table length happens to be. Threads whose tables differ in
// length (the main thread appended JS callbacks, a dlsym, a host hook) hand out different indices
// for the same function. Recording the indices once and replaying them makes them agree.

import { fingerprint, slotId, verifyTable } from './verify.js';
import { runThen } from './when-settled.js';

import { TableMismatch } from './table-mismatch.js';

export { TableMismatch };

export class SlotOps {
  // table: { length, grow(n) → old length, get(i) }; state: SharedState; threadId: nonzero int;
  // describe(i): what occupies slot i here, for error messages.
  // initialized(): whether this thread's runtime has finished starting up (see allocate()).
  constructor({ table, state, threadId, threadName, describe = () => 'an entry', initialized = () => true, spinLimit }) {
    this.initialized = initialized;
    this.spinLimit = spinLimit;
    this.table = table;
    this.state = state;
    this.threadId = threadId;
    this.threadName = threadName;
    this.describe = describe;
    this.stack = []; // ops in progress in this thread, innermost last
    this.replayed = []; // ops this thread has replayed, for the verify mode
    this.done = new Set(); // keys of the ops this thread has recorded or replayed
    this.doneUpTo = 0; // every op of state.tableOps before this index is in `done`
  }

  // Run `body` as op `key`: the one entry point of every table-appending op. body() may return a
  // promise (async module loads); it gets the op being recorded when this thread runs it first.
  // A key only known once the body is done (a function: a dlsym learns its symbol index then)
  // comes with an alias known now; record() then finds or records the op under the lock.
  run(key, label, body, alias) {
    if (typeof key === 'function') return this.record(key, label, body, alias);
    // Already run on this thread: C repeats a dlsym on every thread once per thread that made it
    // (two threads may dlsym the same symbol at once); the entry is in place, addFunction finds it.
    if (this.done.has(key)) return body();
    const recorded = this.state.find(key);
    return recorded ? this.replay(recorded, label, body) : this.record(key, label, body);
  }

  // key may be a function, called once the body is done (a dlsym learns its symbol index only
  // then); returning null means the op took no slots worth replaying.
  // alias: a second key known before the body (a dlsym's handle and symbol name). Another thread
  // may have recorded the same op while this one waited for the lock (or before this thread caught
  // up on it): then this thread replays that op instead of recording a second placement.
  record(key, label, body, alias) {
    return this.state.withLock(this.threadId, () => {
      const first = alias && this.state.find(alias);
      if (first) return this.done.has(first.key) ? body() : this.replay(first, label, body);
      return this.recordLocked(key, label, body, alias);
    }, this.spinLimit);
  }

  recordLocked(key, label, body, alias) {
    // Start where no thread has handed out slots yet, so nothing this op appends collides with
    // entries another thread made in the meantime (main-thread JS callbacks, for example).
    const table = this.table();
    const start = Math.max(this.state.counter, table.length);
    this.growTo(start);
    const op = { key, label, start, slots: [], end: start, thread: this.threadName, threadId: this.threadId, ...(alias && { alias }) };
    this.stack.push({ mode: 'record', op });
    const finish = () => {
      this.pop(op);
      op.end = Math.max(this.table().length, start);
      this.state.raiseCounter(op.end);
      if (typeof key === 'function') op.key = key();
      if (op.key === null) return;
      if (this.state.verifying) op.fp = this.fingerprint(op);
      this.state.append(op);
      this.done.add(op.key);
    };
    return this.around(() => body(op), finish, () => this.pop(op));
  }

  replay(op, label, body) {
    const taken = this.firstTakenSlot(op);
    if (taken !== -1) {
      throw new TableMismatch(`pthread-dylink: cannot place ${label} in ${this.threadName} at the slots ${op.thread} gave it ` +
        `(table[${op.start}:${op.end}]): slot ${taken} here already holds ${this.describe(taken)}. ` +
        'Something appended table entries in this thread only (addFunction from JS in a worker?): ' +
        'create such entries on the main thread, or before loading side modules.');
    }
    this.growTo(op.start);
    const frame = { mode: 'replay', op, next: 0 };
    this.stack.push(frame);
    const finish = () => {
      this.pop(op);
      if (frame.next !== op.slots.length) {
        throw new TableMismatch(`pthread-dylink: ${label} took ${frame.next} table slots in ${this.threadName} but ` +
          `${op.slots.length} in ${op.thread}; the threads do not see the same module or symbols`);
      }
      this.replayed.push(op);
      this.done.add(op.key);
      if (op.fp) this.verify([op]);
    };
    return this.around(body, finish, () => this.pop(op));
  }

  // Write down a fact other threads need but no op carries (a JS function in a slot).
  note(entry) {
    this.state.withLock(this.threadId, () => this.state.append({ ...entry, thread: this.threadName, threadId: this.threadId }), this.spinLimit);
  }

  // How far this thread's table may grow now without getting ahead of a module load it may still
  // replay: such a load has to find the table ending exactly at its recorded start.
  growLimit() {
    this.state.catchUp();
    let limit = Infinity;
    // Only ops, not notes: a program may add thousands of callbacks, and this runs at thread
    // starts. Ops before `doneUpTo` are done here (an op once done stays done): a thread that has
    // caught up on 100 module loads looks at none of them again.
    const ops = this.state.tableOps;
    while (this.doneUpTo < ops.length && this.done.has(ops[this.doneUpTo].key)) this.doneUpTo++;
    for (let i = this.doneUpTo; i < ops.length; i++) {
      if (!this.done.has(ops[i].key) && ops[i].start < limit) limit = ops[i].start;
    }
    return limit;
  }

  inOp() {
    return this.stack.length > 0;
  }

  // A new table slot is needed (addFunction, GOT.func resolution, dlsym).
  allocate() {
    const frame = this.stack[this.stack.length - 1];
    if (frame?.mode === 'replay') {
      const { op } = frame;
      if (frame.next >= op.slots.length) {
        throw new TableMismatch(`pthread-dylink: ${op.label} needs more table slots in ${this.threadName} than the ` +
          `${op.slots.length} it took in ${op.thread}`);
      }
      const slot = op.slots[frame.next++];
      this.growTo(slot + 1);
      return slot;
    }
    if (frame?.mode === 'record') {
      // The lock is held: append locally and write the index down.
      const slot = this.table().grow(1);
      frame.op.slots.push(slot);
      return slot;
    }
    // Outside any op, while the thread starts up: the main module's own GOT.func fix-ups. Every
    // thread repeats them identically at the same indices, so they must not take shared slots.
    if (!this.initialized()) {
      const slot = this.table().grow(1);
      this.state.raiseCounter(slot + 1);
      return slot;
    }
    // Outside any op afterwards (addFunction from JS, host callbacks): entries of this thread
    // alone. Take a slot no other thread will ever use for something else. Under the lock: an op
    // recording on another thread appends past the counter and only raises it when it ends.
    return this.state.withLock(this.threadId, () => {
      const slot = Math.max(this.state.takeSlots(1), this.table().length);
      this.state.raiseCounter(slot + 1);
      this.growTo(slot + 1);
      return slot;
    }, this.spinLimit);
  }

  growTo(n) {
    const table = this.table();
    if (table.length < n) table.grow(n - table.length);
  }

  // The first slot op would write that already holds something in this thread, or -1. (Recorded
  // slots can lie below op.start: a freed slot reused while loading.)
  firstTakenSlot(op) {
    const table = this.table();
    for (let i = op.start; i < Math.min(op.end, table.length); i++) if (table.get(i) !== null) return i;
    for (const s of op.slots) if (s < table.length && table.get(s) !== null) return s;
    return -1;
  }

  // Verify mode (verify.js): what the recording thread had in each slot the op wrote.
  fingerprint(op) {
    return fingerprint(op, (i) => this.slotIdAt(i));
  }

  // What slot i of this thread's table holds, as a slot id (null past its end).
  slotIdAt(i) {
    const table = this.table();
    return slotId(i < table.length ? table.get(i) : null);
  }

  // Verify mode: check this thread's table against what the recording threads saw, for `ops`.
  verify(ops) {
    verifyTable(ops, { notes: this.state.slotNotes, threadId: this.threadId, threadName: this.threadName, idAt: (i) => this.slotIdAt(i) });
  }

  pop(op) {
    const top = this.stack.pop();
    if (top?.op !== op) throw new Error('pthread-dylink: internal error: ops finished out of order');
  }

  // Call body(); run finish() after it completes, sync or async; fail() if it throws.
  around(body, finish, fail) {
    return runThen(body, (v) => { finish(); return v; }, fail);
  }
}
