// State every thread sees: one SharedArrayBuffer holding
//   - a lock over table-slot allocation (owner thread id, 0 = free),
//   - the slot counter: the first index no thread has handed out yet,
//   - the op log: JSON lines, one per recorded op or slot note, appended under the lock,
//   - flags the main thread sets for everyone (the verify mode).
// Emscripten shares linear memory between threads but not the table; this buffer is the part of
// "the table" that we make shared ourselves.
import { runThen } from './when-settled.js';

const LOCK = 0;
const COUNTER = 1;
const LOG_BYTES = 2;
const THREAD_IDS = 3;
const FLAGS = 4;
const HEADER_BYTES = 32;
const FLAG_VERIFY = 1;
export const DEFAULT_CAPACITY = 1 << 20;
// Made once: a pthread start that has a slot note to read would otherwise spend most of its
// time constructing these.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SharedState {
  constructor(buffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES);
    this.readOffset = 0; // how much of the log this thread has parsed into `ops`
    this.ops = new Map();
    this.slotNotes = []; // every gap-slot note ("thread t put a JS function in slot s", ...), in log order
    this.tableOps = []; // every op that is not a note (loads, dlsym slots), in log order
  }

  static create(capacity = DEFAULT_CAPACITY) {
    return new SharedState(new SharedArrayBuffer(HEADER_BYTES + capacity));
  }

  // A small id per thread, for the lock and for messages.
  nextThreadId() {
    return Atomics.add(this.words, THREAD_IDS, 1) + 1;
  }

  // Verify mode (Module.pthreadDylinkVerify on the main thread): threads record what each slot
  // holds and check their tables against it. Read once per op and thread start, so off costs nothing.
  get verifying() {
    return (Atomics.load(this.words, FLAGS) & FLAG_VERIFY) !== 0;
  }

  setVerifying() {
    Atomics.or(this.words, FLAGS, FLAG_VERIFY);
  }

  get counter() {
    return Atomics.load(this.words, COUNTER);
  }

  // Raise the counter to at least `n` (never lowers it).
  raiseCounter(n) {
    for (;;) {
      const cur = Atomics.load(this.words, COUNTER);
      if (cur >= n || Atomics.compareExchange(this.words, COUNTER, cur, n) === cur) return;
    }
  }

  // Take `n` fresh slots; returns the first.
  takeSlots(n) {
    return Atomics.add(this.words, COUNTER, n);
  }

  // Spin lock: critical sections are a single module load, and the main thread of a browser may
  // not block in Atomics.wait, so spin with a bound instead.
  lock(threadId, spinLimit = 5e8) {
    for (let i = 0; ; i++) {
      const owner = Atomics.compareExchange(this.words, LOCK, 0, threadId);
      if (owner === 0 || owner === threadId) return owner === 0;
      if (i > spinLimit) {
        throw new Error(`pthread-dylink: thread ${threadId} waited too long for the table lock held by thread ${owner}; ` +
          'a module load on that thread never finished');
      }
    }
  }

  unlock(threadId) {
    Atomics.compareExchange(this.words, LOCK, threadId, 0);
  }

  // Run body() holding the lock, and release it however body ends: returning, throwing, or (for
  // an async module load) its promise settling either way. The only way code here takes the lock:
  // a lock left held after an error reads, in the next thread, as a load that never finished.
  withLock(threadId, body, spinLimit) {
    const tookLock = this.lock(threadId, spinLimit);
    const release = () => { if (tookLock) this.unlock(threadId); };
    return runThen(body, (value) => { release(); return value; }, release);
  }

  // Callers hold the lock, so everything before the current end is complete.
  append(op) {
    this.catchUp();
    // Not a template literal: see assertNoMultilineTemplates in tools/build.mjs.
    const line = encoder.encode(JSON.stringify(op) + '\n');
    const at = Atomics.load(this.words, LOG_BYTES);
    if (at + line.length > this.bytes.length) {
      throw new Error(`pthread-dylink: the shared op log (where every thread reads the table layout) is full: ` +
        `${this.bytes.length} bytes hold ${this.tableOps.length} module loads/dlsyms and ${this.slotNotes.length} slot notes, ` +
        `and ${op.label || op.key} needs ${line.length} more; set Module.pthreadDylinkLogBytes on the main thread ` +
        `(default ${DEFAULT_CAPACITY})`);
    }
    this.bytes.set(line, at);
    Atomics.store(this.words, LOG_BYTES, at + line.length);
    this.readOffset = at + line.length;
    this.remember(op);
  }

  remember(op) {
    this.ops.set(op.key, op);
    if (op.alias) this.ops.set(op.alias, op);
    // A module record (bytes of a module compiled from JS) is found by key only.
    if (op.bytes === undefined) (op.note ? this.slotNotes : this.tableOps).push(op);
  }

  // The op recorded under `key` by any thread, or undefined.
  find(key) {
    this.catchUp();
    return this.ops.get(key);
  }

  catchUp() {
    const end = Atomics.load(this.words, LOG_BYTES);
    if (end === this.readOffset) return;
    // TextDecoder refuses views of shared memory in browsers: copy first.
    const text = decoder.decode(this.bytes.slice(this.readOffset, end));
    for (const line of text.split('\n')) {
      if (line) this.remember(JSON.parse(line));
    }
    this.readOffset = end;
  }
}
