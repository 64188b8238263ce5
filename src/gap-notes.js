// Gap slots, the writing side (see gap-slots.js): an entry added outside any module load exists
// on its own thread only. Write down what it is, so other threads can put the same export there
// or say why not. Wrappers of emscripten's slot allocator and of its addFunction/removeFunction.
import { exportOf } from './gap-slots.js';
import { slotId } from './verify.js';

// Every new table slot is taken here (addFunction, GOT.func resolution, dlsym).
export function wrapSlotAllocator(thread) {
  return function takeSlot() {
    const o = thread.ops();
    return o.inOp() ? o.allocate() : thread.takeFreshSlot();
  };
}

export function wrapFunctionAdder(thread, original) {
  return function addToTable(func, sig) {
    const mark = thread.freshSlots.taken;
    const slot = Number(original(func, sig));
    const o = thread.ops();
    // Only a new entry is a gap slot: emscripten returns the slot of a function already in the
    // table (a module's export got one as the module loaded), and inside an op, or during
    // start-up, every thread makes the same entries anyway.
    if (!thread.isFreshSince(mark, slot) || !thread.em.runtimeInitialized() || o.inOp()) return slot;
    o.note(gapNote(thread, o, slot, func, sig));
    return slot;
  };
}

// What slot `slot`, just given `func`, holds, as other threads must learn it.
function gapNote(thread, o, slot, func, sig) {
  const key = `slot:${slot}`;
  // A wasm function goes into the table as itself; a JS one as a wrapper.
  if (o.table().get(slot) !== func) return { key, note: 'js', slot, sig, label: 'a JS function added with addFunction' };
  const found = exportOf(func, thread.em.loadedLibsByName());
  if (!found) {
    return { key, note: 'wasm-unknown', slot, sig, fnId: slotId(func), label: 'a wasm function no loaded module exports, added with addFunction' };
  }
  const fp = o.state.verifying ? [[slot, slotId(func)]] : undefined;
  return { key, note: 'wasm', slot, sig, ...found, fp, label: `export ${found.symbol} of ${found.module}, added with addFunction` };
}

export function wrapFunctionRemover(thread, original) {
  return function removeFromTable(index) {
    original(index);
    const slot = Number(index);
    if (thread.em.runtimeInitialized()) thread.ops().note({ key: `slot:${slot}`, note: 'freed', slot, label: 'a slot freed with removeFunction' });
  };
}
