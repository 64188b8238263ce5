// Verify mode (Module.pthreadDylinkVerify on the main thread; the flag lives in the shared state):
// the thread that records an op or a slot note also records what each slot it wrote holds, and
// every other thread checks its own table against that, naming the first slot that differs.
import { latestNotes } from './gap-slots.js';
import { TableMismatch } from './table-mismatch.js';

// What a slot holds, comparable across threads: each thread instantiates its own copy of every
// module, so function objects differ but a wasm function's name (its index in its module) does not.
export function slotId(func) {
  return func === null || func === undefined ? null : String(func.name);
}

// A slot id in words, for messages.
export function describeId(id) {
  return id === null ? 'nothing' : `wasm function #${id}`;
}

// expected: [[slot, id], ...] as the recording thread saw them; idAt(slot) → this thread's id.
// The first slot whose id differs, as { slot, expected, actual }, or null.
export function firstMismatch(expected, idAt) {
  for (const [slot, id] of expected) {
    const actual = idAt(slot);
    if (actual !== id) return { slot, expected: id, actual };
  }
  return null;
}

// What the recording thread had in each slot `op` wrote, as [[slot, id], ...]. (Recorded slots
// can lie below op.start: a freed slot reused while loading.)
export function fingerprint(op, idAt) {
  const slots = new Set(op.slots);
  for (let i = op.start; i < op.end; i++) slots.add(i);
  return [...slots].sort((a, b) => a - b).map((i) => [i, idAt(i)]);
}

// Check this thread's table against what the recording threads saw, for `ops` (ops this thread
// replayed, slot notes it applied: others may legitimately differ, such as a module loaded from
// JS on one thread only). Throws on the first slot that differs, naming it, what put it there and
// both sides. here: { notes (every slot note), threadId, threadName, idAt(slot) }.
export function verifyTable(ops, here) {
  // A slot means what its latest note says (freed, reused): what a load or an older note
  // recorded there is no longer expected of it.
  const latest = latestNotes(here.notes);
  for (const op of ops) {
    if (!op.fp || op.threadId === here.threadId) continue;
    const current = op.fp.filter(([slot]) => !latest.has(slot) || latest.get(slot) === op);
    const bad = firstMismatch(current, here.idAt);
    if (bad) {
      throw new TableMismatch(`pthread-dylink verify: table slot ${bad.slot} differs between threads: ${op.thread} ` +
        `has ${describeId(bad.expected)} there (${op.label}), ${here.threadName} has ${describeId(bad.actual)}`);
    }
  }
}
