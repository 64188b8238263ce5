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
