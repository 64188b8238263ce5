'use strict';
const { SharedState } = require('../src/shared-state.js');

test('ops appended by one thread are found by another view of the same buffer', () => {
  const a = SharedState.create(4096);
  const b = new SharedState(a.buffer);
  a.append({ key: 'load:x.so', start: 10, slots: [10, 11], end: 12 });
  expect(b.find('load:x.so')).toEqual({ key: 'load:x.so', start: 10, slots: [10, 11], end: 12 });
  a.append({ key: 'load:y.so', start: 12, slots: [], end: 12 });
  expect(b.find('load:y.so').start).toBe(12);
});

test('a full log says so, which log it is and how to raise it, and keeps what it had', () => {
  const s = SharedState.create(64);
  s.append({ key: 'a', start: 1, slots: [], end: 1 });
  expect(() => s.append({ key: 'b'.repeat(80), label: 'b.so', start: 1, slots: [], end: 1 }))
    .toThrow(/shared op log \(where every thread reads the table layout\) is full: 64 bytes hold 1 module loads\/dlsyms and 0 slot notes, and b.so needs \d+ more; set Module.pthreadDylinkLogBytes on the main thread/);
  expect(new SharedState(s.buffer).find('a').start).toBe(1);
});

test('the counter only rises, and takeSlots hands out distinct slots', () => {
  const s = SharedState.create(64);
  s.raiseCounter(10);
  s.raiseCounter(5);
  expect(s.counter).toBe(10);
  expect([s.takeSlots(1), s.takeSlots(2), s.takeSlots(1)]).toEqual([10, 11, 13]);
});

test('the lock is re-entrant for its owner and reports who holds it when it times out', () => {
  const s = SharedState.create(64);
  expect(s.lock(1)).toBe(true);
  expect(s.lock(1)).toBe(false); // already ours: nested op
  expect(() => s.lock(2, 1000)).toThrow(/thread 2 waited too long for the table lock held by thread 1/);
  s.unlock(1);
  expect(s.lock(2)).toBe(true);
});

test('thread ids are distinct across views', () => {
  const a = SharedState.create(64);
  const b = new SharedState(a.buffer);
  expect(new Set([a.nextThreadId(), b.nextThreadId(), a.nextThreadId()]).size).toBe(3);
});

test('gap-slot notes made by one thread reach every other view exactly once', () => {
  const a = SharedState.create(4096);
  const b = new SharedState(a.buffer);
  a.append({ key: 'load:x.so', start: 1, slots: [], end: 1 });
  // b appends while behind on the log: it must not count a's entries, or its own, twice.
  b.append({ key: 'js:7', note: 'js', slot: 7, sig: 'i' });
  a.append({ key: 'wasm:9', note: 'wasm', slot: 9, module: 'x.so', symbol: 'f' });
  b.catchUp();
  a.catchUp();
  expect(b.slotNotes.map((e) => e.slot)).toEqual([7, 9]);
  expect(a.slotNotes.map((e) => e.slot)).toEqual([7, 9]);
  expect(new SharedState(a.buffer).find('load:x.so').start).toBe(1);
});

test('the verify flag set through one view is seen by every other', () => {
  const a = SharedState.create(4096);
  const b = new SharedState(a.buffer);
  expect(b.verifying).toBe(false);
  a.setVerifying();
  expect(b.verifying).toBe(true);
  a.append({ key: 'load:x.so', start: 1, slots: [], end: 1 });
  expect(b.find('load:x.so').start).toBe(1); // the flag word does not overlap the log
});

// Issue 21: slot notes are fixed-size records; a worker reads their words, and their text only
// when something asks for it.
describe('slot notes as records', () => {
  const wasmNote = (slot, symbol, extra = {}) => ({ key: `slot:${slot}`, note: 'wasm', slot, sig: 'ii', module: 'libtask.so', symbol,
    label: `export ${symbol} of libtask.so, added with addFunction`, thread: 'the main thread', threadId: 1, ...extra });

  test('every field a note was written with reads back the same in another view', () => {
    const a = SharedState.create(4096);
    const b = new SharedState(a.buffer);
    a.append(wasmNote(9, 'f', { fp: [[9, '3']], how: 'written with wasmTable.set' }));
    a.append({ key: 'slot:4', note: 'freed', slot: 4, threadId: 2 });
    b.catchUp();
    const [n, freed] = b.slotNotes;
    expect({ key: n.key, note: n.note, slot: n.slot, threadId: n.threadId, module: n.module, symbol: n.symbol, sig: n.sig, label: n.label,
      thread: n.thread, fp: n.fp, how: n.how }).toEqual({ key: 'slot:9', note: 'wasm', slot: 9, threadId: 1, module: 'libtask.so', symbol: 'f',
      sig: 'ii', label: 'export f of libtask.so, added with addFunction', thread: 'the main thread', fp: [[9, '3']], how: 'written with wasmTable.set' });
    expect({ note: freed.note, slot: freed.slot, threadId: freed.threadId, module: freed.module, fp: freed.fp, label: freed.label })
      .toEqual({ note: 'freed', slot: 4, threadId: 2, module: undefined, fp: undefined, label: undefined });
  });

  test('catching up reads no note text: ops around notes are found, details parsed only when asked', () => {
    const a = SharedState.create(1 << 16);
    a.append({ key: 'load:x.so', start: 1, slots: [], end: 1 });
    for (let i = 0; i < 50; i++) a.append(wasmNote(100 + i, `task_${i}`));
    a.append({ key: 'load:y.so', start: 2, slots: [2], end: 3 });
    const b = new SharedState(a.buffer);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      b.catchUp();
      // Two op lines, nothing of the 50 notes' 100 lines (details and names).
      expect(parse).toHaveBeenCalledTimes(2);
      expect(b.tableOps.map((o) => o.key)).toEqual(['load:x.so', 'load:y.so']);
      expect(b.slotNotes.map((n) => n.slot)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
      expect(b.slotNotes[7].symbol).toBe('task_7'); // a plain name: read with no JSON
      expect(b.slotNotes[7].label).toBe('export task_7 of libtask.so, added with addFunction');
      expect(parse).toHaveBeenCalledTimes(3);
    } finally {
      parse.mockRestore();
    }
  });

  test('names that are not plain ASCII (quotes, newlines, UTF-8) read back as written', () => {
    const a = SharedState.create(4096);
    const names = ['"quoted', 'two\nlines', 'caf\u00e9.so', '_ZN3foo3barEv', ''];
    names.forEach((n, i) => a.append({ key: `slot:${i}`, note: 'wasm', slot: i, module: n, symbol: n, threadId: 1 }));
    const b = new SharedState(a.buffer);
    b.catchUp();
    expect(b.slotNotes.map((n) => n.module)).toEqual(names);
    expect(b.tableOps).toEqual([]); // none of those lines read as an op
  });

  test('a name shared by many notes is written once by its writer and read once by each reader', () => {
    const a = SharedState.create(1 << 16);
    for (let i = 0; i < 20; i++) a.append({ key: `slot:${i}`, note: 'wasm', slot: i, module: 'libtask.so', symbol: 'run', threadId: 1 });
    // The names are note text (from the end of the log's area), not op lines.
    const header = new Int32Array(a.buffer, 0, 8);
    expect([Atomics.load(header, 2), Atomics.load(header, 7)]).toEqual([0, 'libtask.so\nrun\n'.length]);
    const b = new SharedState(a.buffer);
    b.catchUp();
    const decode = jest.spyOn(b, 'plainNameAt');
    expect(new Set(b.slotNotes.map((n) => [n.module, n.symbol].join())).size).toBe(1);
    expect(decode).toHaveBeenCalledTimes(2);
  });

  // Names are cached by offset in a fixed table (two per bucket): more names than it holds, and
  // reads in an order that pushes names out, still give every note its own name.
  test('10,000 distinct names read back right, twice, through the fixed name cache', () => {
    const a = SharedState.create(1 << 21);
    for (let i = 0; i < 10000; i++) a.append({ key: `slot:${i}`, note: 'wasm', slot: i, module: `lib${i % 7}.so`, symbol: `task_${i}`, threadId: 1 });
    const b = new SharedState(a.buffer);
    b.catchUp();
    for (const pass of [1, 2]) {
      const wrong = b.notesFrom(0).filter((n) => n.symbol !== `task_${n.slot}` || n.module !== `lib${n.slot % 7}.so`);
      expect({ pass, wrong: wrong.length }).toEqual({ pass, wrong: 0 });
    }
  });

  // A worker that kept every note it ever applied carried them all through each minor GC.
  test('notesFrom hands out new notes each time and keeps none, except in the verify mode', () => {
    const a = SharedState.create(4096);
    for (let i = 0; i < 3; i++) a.append({ key: `slot:${i}`, note: 'freed', slot: i, threadId: 1 });
    const b = new SharedState(a.buffer);
    b.catchUp();
    expect(b.notesFrom(1).map((n) => n.slot)).toEqual([1, 2]);
    expect(b.notesFrom(0)[0]).not.toBe(b.notesFrom(0)[0]);
    expect(b.everyNote).toBe(null);
    a.setVerifying();
    const [first] = b.notesFrom(0);
    expect(first).toBe(b.slotNotes[0]); // the verify mode tells applied notes apart by identity
  });

  test('10,000 notes fit the default log, and a full list says so, what it holds and how to raise it', () => {
    const a = SharedState.create();
    for (let i = 0; i < 10000; i++) {
      a.append({ key: `slot:${i}`, note: 'wasm', slot: i, sig: 'ii', module: 'libtask.so', symbol: `task_${i}`,
        label: `export task_${i} of libtask.so, added with addFunction`, thread: 'the main thread', threadId: 1 });
    }
    const b = new SharedState(a.buffer);
    b.catchUp();
    expect(b.slotNotes.length).toBe(10000);
    const small = SharedState.create(256);
    let i = 0;
    expect(() => { for (;; i++) small.append({ key: `slot:${i}`, note: 'freed', slot: i, threadId: 1 }); })
      .toThrow(/the shared slot-note list is full: it holds 5 notes \(120 bytes\), and slot:5 did not fit; set Module.pthreadDylinkLogBytes/);
    const reader = new SharedState(small.buffer);
    reader.catchUp();
    expect(reader.slotNotes.map((n) => n.slot)).toEqual([0, 1, 2, 3, 4]); // what fitted is still there
  });
});
