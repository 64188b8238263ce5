// The other thread of the isolated note benches (tools/bench.mjs): it appends slot notes to the
// shared state when asked, in its own isolate, as the thread that calls addFunction does in a
// program. (Appending from the measured thread itself left its garbage to that thread's collector,
// whose pauses then landed in the timed starts.)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SharedState } from '../src/shared-state.js';

const IDLE = 0;
const APPEND = 1;
const EXIT = 2;
// [command, kind, first, count]
const CONTROL_WORDS = 4;
const KINDS = ['freed', 'wasm', 'wasm-new'];
// The long-lived note rows' slots (from 64), reused round robin ('wasm-new' notes wrap there).
export const ROUND_ROBIN_SLOTS = 1000;

// The notes the benches append: slot i % 64 freed (a one-word record, text only for its label);
// export task_i of a loaded module put in slot 64 + i with addFunction ('wasm'); and the same
// in slot 64 + i % ROUND_ROBIN_SLOTS ('wasm-new': a new export each time, in a slot the table
// already reaches).
function note(kind, i) {
  if (kind === 'freed') return { key: `slot:${i % 64}`, note: 'freed', slot: i % 64, label: 'bench', thread: 'the main thread', threadId: 99 };
  const slot = 64 + (kind === 'wasm-new' ? i % ROUND_ROBIN_SLOTS : i);
  return { key: `slot:${slot}`, note: 'wasm', slot, sig: 'ii', module: 'libtask.so', symbol: `task_${i}`,
    label: `export task_${i} of libtask.so, added with addFunction`, thread: 'the main thread', threadId: 99 };
}

// From the measured thread: a writer thread over `buffer`. append() returns once the notes are in.
// spin: both threads spin instead of sleeping, so the measured thread makes no system call
// between appends. (Here a system call costs a one-note start after it 0.4-0.9 µs: the kernel's
// page tables are switched on every entry, `pti=on` without PCID, so what the code touches next
// misses the TLB: measured by tools/bench.mjs's two long-lived note rows.)
export function startNoteWriter(buffer, { spin = false } = {}) {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { buffer, control: control.buffer, spin } });
  return {
    append(kind, first, count = 1) {
      control.set([KINDS.indexOf(kind), first, count], 1);
      Atomics.store(control, 0, APPEND); // last: the writer reads the rest once it sees this
      if (spin) {
        while (Atomics.load(control, 0) !== IDLE);
        return;
      }
      Atomics.notify(control, 0);
      while (Atomics.load(control, 0) !== IDLE) Atomics.wait(control, 0, APPEND, 1000);
    },
    // Resolves once the thread has exited: a timed start right after stop() otherwise shares the
    // machine with that isolate's teardown (a 10,000-note start took about twice as long here).
    stop() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      Atomics.store(control, 0, EXIT);
      Atomics.notify(control, 0);
      return exited;
    },
  };
}

if (!isMainThread) {
  const state = new SharedState(workerData.buffer);
  const control = new Int32Array(workerData.control);
  for (;;) {
    if (workerData.spin) while (Atomics.load(control, 0) === IDLE);
    else Atomics.wait(control, 0, IDLE);
    const [command, kind, first, count] = control;
    if (command === EXIT) break;
    if (command !== APPEND) continue;
    for (let i = first; i < first + count; i++) state.append(note(KINDS[kind], i));
    Atomics.store(control, 0, IDLE);
    if (!workerData.spin) Atomics.notify(control, 0);
  }
  parentPort?.close();
}
