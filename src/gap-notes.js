// Gap slots, the writing side (see gap-slots.js): an entry added outside any module load exists
// on its own thread only. Write down what it is, so other threads can put the same export there
// or say why not. Wrappers of emscripten's slot allocator and of its addFunction/removeFunction.
import { exportOf } from './gap-slots.js';
import { describeImports, toBase64 } from './js-instances.js';
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
    const slot = Number(thread.quietly(() => original(func, sig)));
    const o = thread.ops();
    // Only a new entry is a gap slot: emscripten returns the slot of a function already in the
    // table (a module's export got one as the module loaded), and inside an op, or during
    // start-up, every thread makes the same entries anyway.
    if (!thread.isFreshSince(mark, slot) || !thread.em.runtimeInitialized() || o.inOp()) return slot;
    // A wasm function goes into the table as itself; a JS one as a wrapper.
    const isJs = o.table().get(slot) !== func;
    for (const entry of gapNotes(thread, o, { slot, func, sig, isJs, how: ADDED })) o.note(entry);
    return slot;
  };
}

const ADDED = 'added with addFunction';
const WRITTEN = 'written with wasmTable.set';

// A write into the table that bypassed addFunction (wasmTable.set or setWasmTableEntry from JS:
// CPython installs its trampoline over a placeholder slot this way, from a preRun hook workers
// never run). thread.js routes every such write here; emscripten's own writes are quiet.
export function noteTableWrite(thread, slot, func) {
  const o = thread.ops();
  if (o.inOp()) return;
  const entries = func === null
    ? [{ key: `slot:${slot}`, note: 'freed', slot, how: WRITTEN, label: 'a slot cleared with wasmTable.set' }]
    : gapNotes(thread, o, { slot, func, isJs: false, how: WRITTEN });
  for (const entry of entries) o.note(entry);
}

// What slot `slot`, just given `func`, holds, as other threads must learn it: the slot's note,
// after the module record it refers to when that is new to the log.
function gapNotes(thread, o, { slot, func, sig, isJs, how }) {
  const key = `slot:${slot}`;
  const tag = how === ADDED ? {} : { how };
  if (isJs) return [{ key, note: 'js', slot, sig, label: 'a JS function added with addFunction' }];
  const fp = o.state.verifying ? [[slot, slotId(func)]] : undefined;
  const found = exportOf(func, thread.em.loadedLibsByName());
  if (found) return [{ key, note: 'wasm', slot, sig, ...found, fp, ...tag, label: `export ${found.symbol} of ${found.module}, ${how}` }];
  const origin = thread.jsInstances.originOf(func);
  if (origin) return instanceNotes(thread, o, { key, slot, sig, fp, ...tag }, origin, how);
  return [{ key, note: 'wasm-unknown', slot, sig, fnId: slotId(func), ...tag, label: `a wasm function no loaded module exports, ${how}` }];
}

// An export of an instance created from JS: its module's bytes (once per instance) and its
// imports as things another thread has its own of (js-instances.js).
function instanceNotes(thread, o, slotNote, { instance, name }, how) {
  const moduleKey = `instance:${o.threadId}:${instance.id}`;
  const module = o.state.find(moduleKey) ? [] : [{ key: moduleKey, bytes: toBase64(thread.jsInstances.bytesOf(instance.module)), label: 'a wasm module compiled from JS' }];
  return [...module, {
    ...slotNote, note: 'wasm-instance', instance: moduleKey, export: name, imports: describeImports(instance, thread.programParts()),
    label: `export ${name} of a wasm instance created from JS, ${how}`,
  }];
}

export function wrapFunctionRemover(thread, original) {
  return function removeFromTable(index) {
    thread.quietly(() => original(index));
    const slot = Number(index);
    if (thread.em.runtimeInitialized()) thread.ops().note({ key: `slot:${slot}`, note: 'freed', slot, label: 'a slot freed with removeFunction' });
  };
}
