// State every thread sees: one SharedArrayBuffer holding
//   - a lock over table-slot allocation (owner thread id, 0 = free),
//   - the slot counter: the first index no thread has handed out yet,
//   - the op log: JSON lines, one per recorded op (module loads, dlsym slots, module bytes),
//     appended under the lock from the front of its area,
//   - the text slot notes refer to (names, details), appended from the back of the same area,
//   - the slot notes (gap slots: gap-slots.js) as fixed-size records,
//   - flags the main thread sets for everyone (the verify mode).
// Emscripten shares linear memory between threads but not the table; this buffer is the part of
// "the table" that we make shared ourselves.
//
// Why slot notes are binary: every worker reads every note at its next pthread start, and a
// program may add thousands of callbacks. A record is six words (slot, thread, kind, and where
// its details, module name and symbol name are in the text); a worker reads the words, and text
// only when it needs it: each name once while TextCache keeps it (plain ASCII, read without a
// decoder), the rest (labels, signatures) only to explain a slot it cannot fill. The text grows
// from the other end of the log's area, so catching up on ops never passes over it: a pthread
// start after an addFunction touches the note's record and nothing else another thread wrote.
// (An export's position in its module instead of its name was measured slower: a wasm
// function's `name`, to check it by, costs more than a name lookup, and listing a module's
// exports costs a worker ~0.3 µs per export.)
import { runThen } from './when-settled.js';

const LOCK = 0;
const COUNTER = 1;
const LOG_BYTES = 2;
const THREAD_IDS = 3;
const FLAGS = 4;
const NOTE_COUNT = 5;
const LOG_CAPACITY = 6;
const TEXT_BYTES = 7; // note text used, from the end of the log's area
const HEADER_BYTES = 32;
const FLAG_VERIFY = 1;
// Room for ~10,000 gap slots with their text and hundreds of module loads (3 MiB in all).
export const DEFAULT_CAPACITY = 2 << 20;
// A note record: [slot, threadId, kind | HAS_FP, details, module, symbol]; the last three are
// offset + 1 of a line of note text (0: none).
const NOTE_WORDS = 6;
const HAS_FP = 1 << 8;
const KINDS = ['freed', 'js', 'wasm', 'wasm-unknown', 'wasm-instance'];
const WASM_KIND = KINDS.indexOf('wasm');
const FREED_KIND = KINDS.indexOf('freed');
// What a note's record holds itself; the rest goes in its details line.
const RECORD_FIELDS = new Set(['key', 'note', 'slot', 'threadId', 'module', 'symbol']);
const NEWLINE = 0x0a;
// Made once: a pthread start that has a slot note to read would otherwise spend most of its
// time constructing these.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// A slot note as a worker reads it: slot, thread and kind from the record; module and symbol
// names decoded on first use (once per distinct name and view); everything else (label,
// signature, how it was made, the verify fingerprint) parsed from its line on first use.
class SlotNote {
  constructor(state, words, at) {
    this.state = state;
    this.slot = words[at];
    this.threadId = words[at + 1];
    const kind = words[at + 2];
    this.note = KINDS[kind & 0xff];
    this.hasFp = (kind & HAS_FP) !== 0;
    this.detailsAt = words[at + 3];
    this.moduleAt = words[at + 4];
    this.symbolAt = words[at + 5];
    this.parsed = null;
  }

  get key() { return `slot:${this.slot}`; }
  get module() { return this.moduleAt ? this.state.nameAt(this.moduleAt) : undefined; }
  get symbol() { return this.symbolAt ? this.state.nameAt(this.symbolAt) : undefined; }
  get fp() { return this.hasFp ? this.details.fp : undefined; }
  get details() { return (this.parsed ??= this.detailsAt ? JSON.parse(this.state.lineAt(this.detailsAt)) : {}); }
  get thread() { return this.details.thread; }
  get label() { return this.details.label; }
  get sig() { return this.details.sig; }
  get how() { return this.details.how; }
  get fnId() { return this.details.fnId; }
  get instance() { return this.details.instance; }
  get export() { return this.details.export; }
  get imports() { return this.details.imports; }
}

// Values by the note-text offset they came from (and a tag, for what was made of that text:
// NAME for the name written there), in a fixed table of two-entry buckets (a new value pushes
// out the less recently used of two): a value lost this way is made again (a name decoded again:
// ~0.1 µs), where a Map of 10,000 names cost ~0.3 µs an insert (measured). Read 1,000 names
// twice in order, and the second pass decodes 85 of them again. One plain array of [offset, tag,
// value] entries, so a lookup touches one line of it, not a line in each of three arrays.
// Note text never changes once written, so an entry never goes stale.
const TEXT_CACHE_BUCKETS = 1 << 11;
const ENTRY = 3;
const NAME = 0;
export class TextCache {
  constructor() {
    // Holes read as undefined, never an offset: no fill (filling 8,192 entries took ~7 µs).
    this.entries = new Array(TEXT_CACHE_BUCKETS * 2 * ENTRY);
  }

  // Where the bucket's first entry starts in `entries`. A full mix of the offset's bits
  // (murmur3's finalizer): offsets come in steps of a line's length, and a plain multiplicative
  // hash mapped 1,000 such names to 512 entries (measured).
  bucket(at) {
    let h = Math.imul(at ^ (at >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) & (TEXT_CACHE_BUCKETS - 1)) * 2 * ENTRY;
  }

  // A hit on the second entry moves it to the front: a value every note uses (the module's
  // name) is then never the one pushed out.
  get(at, tag) {
    const e = this.entries;
    const i = this.bucket(at);
    if (e[i] === at && e[i + 1] === tag) return e[i + 2];
    if (e[i + ENTRY] !== at || e[i + ENTRY + 1] !== tag) return undefined;
    const value = e[i + ENTRY + 2];
    this.set(at, tag, value);
    return value;
  }

  set(at, tag, value) {
    const e = this.entries;
    const i = this.bucket(at);
    e[i + ENTRY] = e[i];
    e[i + ENTRY + 1] = e[i + 1];
    e[i + ENTRY + 2] = e[i + 2];
    e[i] = at;
    e[i + 1] = tag;
    e[i + 2] = value;
  }
}

export class SharedState {
  constructor(buffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    const logCapacity = Atomics.load(this.words, LOG_CAPACITY);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, logCapacity);
    const noteStart = HEADER_BYTES + logCapacity;
    this.noteWords = new Int32Array(buffer, noteStart, (buffer.byteLength - noteStart) >> 2);
    this.readOffset = 0; // how much of the log this thread has parsed into `ops`
    this.noteCount = 0; // how many note records there were when this thread last caught up
    this.everyNote = null; // slotNotes, once something asked for it
    this.ops = new Map();
    this.tableOps = []; // every op that is not a note (loads, dlsym slots), in log order
    this.nameCache = null; // names(): text offset + 1 → a module or symbol name read there
    this.nameLines = new Map(); // name → log offset + 1 of a line that holds it (this view's writes)
    this.nameCodes = []; // plainNameAt's scratch
  }

  // capacity: bytes of the op log and the note text together; the note records get half of that again.
  static create(capacity = DEFAULT_CAPACITY) {
    const noteBytes = Math.floor(capacity / 2 / (NOTE_WORDS * 4)) * NOTE_WORDS * 4;
    const buffer = new SharedArrayBuffer(HEADER_BYTES + capacity + noteBytes);
    Atomics.store(new Int32Array(buffer, 0, HEADER_BYTES / 4), LOG_CAPACITY, capacity);
    return new SharedState(buffer);
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

  // Callers hold the lock, so everything before the current end is complete. A slot note (an
  // entry with `note`) becomes a record; anything else a JSON line.
  append(op) {
    this.catchUp();
    if (op.note) {
      this.appendNote(op);
      return;
    }
    // Not a template literal: see assertEmscriptenReadable in tools/build.mjs.
    this.writeLine(encoder.encode(JSON.stringify(op) + '\n'), op);
    this.remember(op);
  }

  appendNote(entry) {
    const { key, note, slot, threadId, module, symbol } = entry;
    // (Not `...details` in the parameters: see assertEmscriptenReadable in tools/build.mjs.)
    const details = {};
    for (const name of Object.keys(entry)) if (!RECORD_FIELDS.has(name)) details[name] = entry[name];
    const at = Atomics.load(this.words, NOTE_COUNT) * NOTE_WORDS;
    if (at + NOTE_WORDS > this.noteWords.length) {
      throw new Error(`pthread-dylink: the shared slot-note list is full: it holds ${at / NOTE_WORDS} notes ` +
        `(${this.noteWords.byteLength} bytes), and ${details.label || key} did not fit; set Module.pthreadDylinkLogBytes on the ` +
        `main thread (the list gets half of it; default ${DEFAULT_CAPACITY})`);
    }
    const kind = KINDS.indexOf(note);
    if (kind < 0) throw new Error(`pthread-dylink: internal error: unknown slot note kind ${note}`);
    const record = [slot, threadId ?? 0, kind | (details.fp ? HAS_FP : 0), this.detailLine(details, key),
      module === undefined ? 0 : this.nameLine(module), symbol === undefined ? 0 : this.nameLine(symbol)];
    this.noteWords.set(record, at);
    Atomics.store(this.words, NOTE_COUNT, at / NOTE_WORDS + 1);
    this.catchUpNotes();
  }

  detailLine(details, key) {
    if (Object.keys(details).length === 0) return 0;
    return this.writeText(encoder.encode(JSON.stringify(details) + '\n'), { label: details.label || key });
  }

  nameLine(name) {
    let at = this.nameLines.get(name);
    if (at === undefined) {
      // Printable ASCII as it is (read back without a decoder), anything else as JSON.
      const text = /^[\x20-\x21\x23-\x7e][\x20-\x7e]*$/.test(name) ? name : JSON.stringify(name);
      at = this.writeText(encoder.encode(text + '\n'), { label: name });
      this.nameLines.set(name, at);
      this.names().set(at, NAME, name);
    }
    return at;
  }

  // Append one op line to the log; returns its offset + 1.
  writeLine(line, what) {
    const at = Atomics.load(this.words, LOG_BYTES);
    this.checkRoom(line.length, what);
    this.bytes.set(line, at);
    Atomics.store(this.words, LOG_BYTES, at + line.length);
    // Only this view's own lines were between its read position and `at` (the caller caught up).
    this.readOffset = at + line.length;
    return at + 1;
  }

  // Put one line of note text before the text already at the end of the area; returns its
  // offset + 1.
  writeText(line, what) {
    this.checkRoom(line.length, what);
    const used = Atomics.load(this.words, TEXT_BYTES) + line.length;
    const at = this.bytes.length - used;
    this.bytes.set(line, at);
    Atomics.store(this.words, TEXT_BYTES, used);
    return at + 1;
  }

  checkRoom(length, what) {
    if (Atomics.load(this.words, LOG_BYTES) + Atomics.load(this.words, TEXT_BYTES) + length <= this.bytes.length) return;
    throw new Error(`pthread-dylink: the shared op log (where every thread reads the table layout) is full: ` +
      `${this.bytes.length} bytes hold ${this.tableOps.length} module loads/dlsyms and ${this.noteCount} slot notes, ` +
      `and ${what.label || what.key} needs ${length} more; set Module.pthreadDylinkLogBytes on the main thread ` +
      `(default ${DEFAULT_CAPACITY})`);
  }

  // The text of the note-text line at offset + 1 `at`.
  lineAt(at) {
    const end = this.bytes.indexOf(NEWLINE, at - 1);
    // TextDecoder refuses views of shared memory in browsers: copy first.
    return decoder.decode(this.bytes.slice(at - 1, end));
  }

  // Made on first use: most threads never read a name.
  names() {
    return (this.nameCache ??= new TextCache());
  }

  nameAt(at) {
    const names = this.names();
    let name = names.get(at, NAME);
    if (name === undefined) {
      // A plain name (see nameLine) reads straight from the shared bytes; a quoted one is JSON.
      name = this.bytes[at - 1] === 0x22 ? JSON.parse(this.lineAt(at)) : this.plainNameAt(at - 1);
      names.set(at, NAME, name);
    }
    return name;
  }

  // The printable ASCII from `from` to the next newline (or the end of the area, as the indexOf
  // it replaced read: a past-the-end read gives undefined, never the newline). The char codes go
  // through a plain array reused across calls: apply() copies a packed array's elements directly
  // but reads a typed array element by element (measured: ~100 against ~300 ns for a 10-character
  // name).
  plainNameAt(from) {
    const { bytes } = this;
    const codes = this.nameCodes;
    let n = 0;
    for (let i = from, b; i < bytes.length && (b = bytes[i]) !== NEWLINE; i++) codes[n++] = b;
    codes.length = n;
    return String.fromCharCode.apply(null, codes);
  }

  remember(op) {
    this.ops.set(op.key, op);
    if (op.alias) this.ops.set(op.alias, op);
    // A module record (bytes of a module compiled from JS) is found by key only.
    if (op.bytes === undefined) this.tableOps.push(op);
  }

  // The op recorded under `key` by any thread, or undefined.
  find(key) {
    this.catchUp();
    return this.ops.get(key);
  }

  catchUp() {
    this.catchUpNotes();
    const end = Atomics.load(this.words, LOG_BYTES);
    if (end > this.readOffset) this.rememberLines(this.readOffset, end);
    this.readOffset = end;
  }

  rememberLines(from, to) {
    // TextDecoder refuses views of shared memory in browsers: copy first.
    const text = decoder.decode(this.bytes.slice(from, to));
    for (const line of text.split('\n')) {
      if (line) this.remember(JSON.parse(line));
    }
  }

  // Note records are read when asked for (notesFrom), not here.
  catchUpNotes() {
    this.noteCount = Atomics.load(this.words, NOTE_COUNT);
  }

  // The notes from index `from` up to the count at the last catch-up, in log order: new objects
  // each time, kept by no one (a worker that kept every note it applied carried tens of thousands
  // of them through each minor GC: ~0.7 µs a start, measured). Except in the verify mode, which
  // tells notes apart by identity: there they are slotNotes' own.
  notesFrom(from) {
    if (this.everyNote || this.verifying) return this.slotNotes.slice(from);
    const notes = [];
    for (let i = from; i < this.noteCount; i++) notes.push(this.noteAt(i));
    return notes;
  }

  // Note `i` into `into` (reused: a pthread start's one-note fill makes no objects) if a start can
  // apply it alone: a note of a thread other than `threadId`, with no verify fingerprint, for an
  // export ('wasm': slot, and where its module and symbol names are in the note text: nameAt) or
  // a freed slot ('freed': slot, both 0). False for any other note.
  readPlainNote(i, threadId, into) {
    const w = this.noteWords;
    const at = i * NOTE_WORDS;
    if (w[at + 1] === threadId) return false;
    if (w[at + 2] === FREED_KIND) {
      into.slot = w[at];
      into.moduleAt = into.symbolAt = 0;
      return true;
    }
    if (w[at + 2] !== WASM_KIND || !w[at + 4] || !w[at + 5]) return false;
    into.slot = w[at];
    into.moduleAt = w[at + 4];
    into.symbolAt = w[at + 5];
    return true;
  }

  // Note record `i` as a new SlotNote.
  noteAt(i) {
    return new SlotNote(this, this.noteWords, i * NOTE_WORDS);
  }

  // Every gap-slot note ("thread t put a JS function in slot s", ...) up to the last catch-up, in
  // log order, each the same object every time (for the verify mode and tests).
  get slotNotes() {
    const notes = (this.everyNote ??= []);
    while (notes.length < this.noteCount) notes.push(this.noteAt(notes.length));
    return notes;
  }
}
