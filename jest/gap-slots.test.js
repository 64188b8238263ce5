'use strict';
// Gap slots and the verify mode, without emcc: the planner on plain notes, the fingerprint check
// on real WebAssembly tables shared through one SharedArrayBuffer.
const { GapSlotPlanner, exportOf } = require('../src/gap-slots.js');
const { firstMismatch, slotId } = require('../src/verify.js');
const { SharedState } = require('../src/shared-state.js');
const { SlotOps, TableMismatch } = require('../src/slot-ops.js');
const { wasmFunctions, table } = require('./wasm-fixtures');

const MAIN = 1;
const WORKER = 2;
const note = (kind, slot, extra = {}) => ({ note: kind, slot, threadId: MAIN, thread: 'the main thread', ...extra });
// The planner takes the notes it has not seen yet, as GapFiller passes them (SharedState.notesFrom).
const plan = (p, notes, reach) => p.plan(notes.slice(p.seen), reach);

describe('GapSlotPlanner', () => {
  test('fills empty slots other threads noted, once each, and skips its own', () => {
    const p = new GapSlotPlanner(WORKER);
    const notes = [note('js', 3, { sig: 'i' }), note('wasm', 4), { ...note('js', 5), threadId: WORKER }];
    expect(plan(p, notes, 10).map((a) => a.slot)).toEqual([3, 4]);
    expect(plan(p, notes, 10)).toEqual([]); // nothing new
  });

  test('a slot beyond this thread\'s table waits for a later start, and never grows the table', () => {
    const p = new GapSlotPlanner(WORKER);
    const notes = [note('js', 12), note('wasm', 5)];
    expect(plan(p, notes, 10).map((a) => a.slot)).toEqual([5]);
    expect(plan(p, notes, 11)).toEqual([]);
    expect(plan(p, notes, 13).map((a) => a.slot)).toEqual([12]);
  });

  // New notes on slots that only go up (the usual case) take a path of their own, with the same answers.
  test('notes on rising slots: own ones skipped, far ones kept for later in log order with what comes after', () => {
    const p = new GapSlotPlanner(WORKER);
    const notes = [note('wasm', 5), { ...note('js', 6), threadId: WORKER }, note('js', 12), note('wasm', 13)];
    expect(plan(p, notes, 10).map((a) => a.slot)).toEqual([5]);
    notes.push(note('wasm', 14));
    expect(plan(p, notes, 20).map((a) => a.slot)).toEqual([12, 13, 14]);
    expect(plan(p, notes, 20)).toEqual([]);
  });

  test('a slot freed and reused on the owner thread ends up holding its latest meaning', () => {
    const p = new GapSlotPlanner(WORKER);
    const notes = [note('js', 6, { sig: 'i' })];
    expect(plan(p, notes, 10).map((a) => a.note)).toEqual(['js']);
    notes.push(note('freed', 6), note('wasm', 6, { module: 'a.so', symbol: 'g' }));
    expect(plan(p, notes, 10).map((a) => a.note)).toEqual(['wasm']);
  });

  // Issue 17 (2): addFunction(export f) returns f's start-up slot S, removeFunction(S), then
  // addFunction(jsFn) reuses S. Every thread holds f at S from start-up; the worker must not
  // take that for an entry of its own and keep running f.
  test('a slot this thread holds from start-up or a load still takes another thread\'s later meaning', () => {
    const p = new GapSlotPlanner(WORKER);
    const notes = [note('freed', 2), note('js', 2, { sig: 'i' })];
    expect(plan(p, notes, 10)).toEqual([notes[1]]);
  });

  test('this thread\'s own later note for a slot wins over an earlier one from another thread', () => {
    const p = new GapSlotPlanner(WORKER);
    const mine = { ...note('js', 7, { sig: 'i' }), threadId: WORKER };
    expect(plan(p, [note('freed', 7), mine], 10)).toEqual([]);
    // ... and a later note from another thread wins over it again.
    expect(plan(p, [note('freed', 7), mine, note('wasm', 7, { module: 'a.so', symbol: 'g' })], 10).map((a) => a.note)).toEqual(['wasm']);
  });
});

test('exportOf names the side module before the main module\'s merged symbol table', () => {
  const [a, b, c] = wasmFunctions([1, 2, 3]);
  const libs = {
    __main__: { exports: { a, b, memory: {} } },
    loading: { exports: 'loading' },
    'side.so': { exports: { other: c, b } },
  };
  expect(exportOf(b, libs)).toEqual({ module: 'side.so', symbol: 'b' });
  expect(exportOf(a, libs)).toEqual({ module: '__main__', symbol: 'a' });
  expect(exportOf(wasmFunctions([4])[0], libs)).toBeNull();
});

test('firstMismatch reports the first slot whose function differs', () => {
  const ids = { 1: '0', 2: '1', 3: null };
  expect(firstMismatch([[1, '0'], [2, '1'], [3, null]], (i) => ids[i])).toBeNull();
  expect(firstMismatch([[1, '0'], [2, '2'], [3, '5']], (i) => ids[i])).toEqual({ slot: 2, expected: '2', actual: '1' });
  expect(slotId(null)).toBeNull();
});

describe('verify mode', () => {
  function twoThreads({ verifying }) {
    const buffer = SharedState.create(1 << 16).buffer;
    if (verifying) new SharedState(buffer).setVerifying();
    const make = (name) => {
      const state = new SharedState(buffer);
      const t = table(4);
      return { t, ops: new SlotOps({ table: () => t, state, threadId: state.nextThreadId(), threadName: name }) };
    };
    return { main: make('the main thread'), worker: make('worker thread #2') };
  }
  // Each thread has its own instance of the module: different objects, same function indices.
  function load(th, funcs) {
    return th.ops.run('load:side.so', 'side.so', () => funcs.map((fn) => {
      const slot = th.ops.allocate();
      th.t.set(slot, fn);
      return slot;
    }));
  }

  test('a replay that put the module\'s functions where the recording thread had them passes', () => {
    const { main, worker } = twoThreads({ verifying: true });
    load(main, wasmFunctions([1, 2]));
    load(worker, wasmFunctions([1, 2]));
    expect(() => worker.ops.verify(worker.ops.replayed)).not.toThrow();
    expect(worker.ops.replayed[0].fp).toEqual([[4, '0'], [5, '1']]);
  });

  test('a corrupted slot is named, with what the recording thread had there and what this one has', () => {
    const { main, worker } = twoThreads({ verifying: true });
    load(main, wasmFunctions([1, 2]));
    const fns = wasmFunctions([1, 2]);
    load(worker, fns);
    worker.t.set(5, fns[0]);
    expect(() => worker.ops.verify(worker.ops.replayed)).toThrow(TableMismatch);
    expect(() => worker.ops.verify(worker.ops.replayed)).toThrow('pthread-dylink verify: table slot 5 differs between threads: ' +
      'the main thread has wasm function #1 there (side.so), worker thread #2 has wasm function #0');
  });

  test('a replay that lands differently fails as it finishes', () => {
    const { main, worker } = twoThreads({ verifying: true });
    load(main, wasmFunctions([1, 2]));
    const [f1, f2] = wasmFunctions([1, 2]);
    expect(() => load(worker, [f2, f1])).toThrow(/table slot 4 differs between threads: the main thread has wasm function #0/);
  });

  // Found by S12 with ASSERTIONS (the upstream patch checks then): a load's slot freed and
  // reused later is no longer expected to hold what the load put there.
  test('a slot a later note freed or reused is checked against its latest meaning, not the load\'s', () => {
    const { main, worker } = twoThreads({ verifying: true });
    load(main, wasmFunctions([1, 2]));
    main.ops.note({ key: 'slot:5', note: 'freed', slot: 5, label: 'freed' });
    load(worker, wasmFunctions([1, 2]));
    worker.t.set(5, null);
    expect(() => worker.ops.verify(worker.ops.replayed)).not.toThrow();
    worker.t.set(4, null);
    expect(() => worker.ops.verify(worker.ops.replayed)).toThrow(/table slot 4 differs between threads/);
  });

  test('off, nothing is recorded and nothing is checked', () => {
    const { main, worker } = twoThreads({ verifying: false });
    load(main, wasmFunctions([1, 2]));
    const [f1, f2] = wasmFunctions([1, 2]);
    expect(() => load(worker, [f2, f1])).not.toThrow();
    expect(worker.ops.replayed[0].fp).toBeUndefined();
  });
});
