'use strict';
// A worker's pthread start with gap-slot notes to apply (src/gap-fill.js), without emcc: the
// one-note path (fillOne) must leave the table as fill() would, and hand everything else to it.
const { install } = require('../src/runtime.js');
const { SharedState } = require('../src/shared-state.js');
const { CARRIER_KEY } = require('../src/versions.js');
const { wasmFunctions, table } = require('./wasm-fixtures');

const [exported, other, mine] = wasmFunctions([7, 8, 9]);
const MAIN = 99; // the thread id the notes below come from

// A worker over a fresh shared state and an 8-slot table, past its first start. Its loaded
// modules are `libs`; dlsync "loads" `afterDlsync` into them and is counted.
function worker({ libs = { 'a.so': { exports: { g: exported, h: other } } }, afterDlsync = {} } = {}) {
  const state = SharedState.create(1 << 16);
  const carrier = { [CARRIER_KEY]: state.buffer };
  const t = table(8);
  const w = { t, state, dlsyncs: 0, starts: 0 };
  const em = {
    isWorker: true, version: '6.0.5', carrier: () => carrier, table: () => t, runtimeInitialized: () => true,
    setTableEntry: (i, v) => t.set(i, v), dso: {}, loadedLibsByName: () => libs, freeTableIndexes: () => [],
    dlsyncSelf: () => { w.dlsyncs++; Object.assign(libs, afterDlsync); }, convertJsFunctionToWasm: () => null, warn: () => {},
  };
  const wrapped = install(em, { invokeEntryPoint: () => { w.starts++; } });
  w.start = () => wrapped.invokeEntryPoint(0, 0);
  w.start();
  const writer = new SharedState(state.buffer); // one view, as a program's main thread has
  w.note = (slot, fields) => writer.append({ key: `slot:${slot}`, note: 'wasm', slot, module: 'a.so', symbol: 'g',
    thread: 'the main thread', threadId: MAIN, ...fields });
  return w;
}

test('one new export note is filled without a dlsync, and the start goes on', () => {
  const w = worker();
  w.note(5);
  w.start();
  expect(w.t.get(5)).toBe(exported);
  expect([w.dlsyncs, w.starts]).toEqual([0, 2]);
  w.start(); // nothing new
  expect(w.dlsyncs).toBe(0);
  w.note(6, { symbol: 'h' });
  w.start();
  expect([w.t.get(6), w.dlsyncs]).toEqual([other, 0]);
});

test('a note whose module this worker has not loaded goes through fill(): dlsync first, then the export', () => {
  const w = worker({ libs: {}, afterDlsync: { 'a.so': { exports: { g: exported } } } });
  w.note(5);
  w.start();
  expect([w.t.get(5), w.dlsyncs]).toEqual([exported, 1]);
});

test('a slot past the table goes through fill(), which grows the table to it', () => {
  const w = worker();
  w.note(11);
  w.start();
  expect([w.t.length, w.t.get(11), w.dlsyncs]).toEqual([12, exported, 1]);
});

test('one freed slot is emptied without a dlsync', () => {
  const w = worker();
  w.t.set(4, other);
  w.note(4, { note: 'freed', module: undefined, symbol: undefined });
  w.start();
  expect([w.t.get(4), w.dlsyncs]).toEqual([null, 0]);
});

test('two notes, or this worker\'s own note, go through fill()', () => {
  const w = worker();
  w.note(4);
  w.note(5);
  w.start();
  expect([w.t.get(4), w.t.get(5), w.dlsyncs]).toEqual([exported, exported, 1]);
  w.t.set(3, mine);
  w.note(3, { threadId: 1 }); // this worker's id: its first start took it
  w.start();
  expect([w.t.get(3), w.dlsyncs]).toEqual([mine, 2]);
  w.note(3, { note: 'freed', module: undefined, symbol: undefined, threadId: 1 });
  w.start();
  expect([w.t.get(3), w.dlsyncs]).toEqual([mine, 3]);
});

// fillOne() keeps the exports it found by where their names are in the note text: the same
// symbol of another module is another export, and an export filled again comes from the cache.
test('an export filled before is found again; the same symbol of another module is that module\'s', () => {
  const libs = { 'a.so': { exports: { g: exported } }, 'b.so': { exports: { g: other } } };
  const w = worker({ libs });
  w.note(5);
  w.start();
  w.note(6, { module: 'b.so' });
  w.start();
  libs['a.so'] = { exports: {} }; // not what emscripten does: here it shows the cache is used
  w.note(7);
  w.start();
  expect([w.t.get(5), w.t.get(6), w.t.get(7), w.dlsyncs]).toEqual([exported, other, exported, 0]);
});

test('readPlainNote reads another thread\'s export or freed-slot note without a fingerprint, and nothing else', () => {
  const state = SharedState.create(1 << 16);
  const base = { thread: 'the main thread', threadId: MAIN, module: 'a.so', symbol: 'g' };
  state.append({ key: 'slot:1', note: 'wasm', slot: 1, ...base });
  state.append({ key: 'slot:2', note: 'wasm', slot: 2, ...base, fp: 'f' });
  state.append({ key: 'slot:3', note: 'js', slot: 3, ...base, sig: 'i' });
  state.append({ key: 'slot:4', note: 'wasm', slot: 4, ...base, threadId: 5 });
  state.append({ key: 'slot:5', note: 'freed', slot: 5, thread: 'the main thread', threadId: MAIN });
  state.append({ key: 'slot:6', note: 'freed', slot: 6, thread: 'the main thread', threadId: MAIN, fp: 'f' });
  const into = { slot: -1, moduleAt: -1, symbolAt: -1 };
  expect(state.readPlainNote(0, 5, into)).toBe(true);
  expect([into.slot, state.nameAt(into.moduleAt), state.nameAt(into.symbolAt)]).toEqual([1, 'a.so', 'g']);
  expect([1, 2, 3, 5].map((i) => state.readPlainNote(i, 5, into))).toEqual([false, false, false, false]);
  expect(state.readPlainNote(3, 6, into)).toBe(true);
  expect(state.readPlainNote(4, 5, into)).toBe(true);
  expect(into).toEqual({ slot: 5, moduleAt: 0, symbolAt: 0 });
});
