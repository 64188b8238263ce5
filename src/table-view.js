// Emscripten's table as SlotOps and the gap-slot filler use it: Number indices whatever the
// table's index type (a MEMORY64 build's table is a table64: its length, grow() result and
// indices are BigInts), and every write through emscripten's setWasmTableEntry, which keeps its
// per-thread cache (wasmTableMirror: dynCall, invoke_*, pthread start routines) in step.
// em: { table() (looked up on each use: 4.0.19+ re-points wasmTable at the module's export),
//       setTableEntry(i, v) }.
export function tableView(em) {
  const index = (i) => (typeof em.table().length === 'bigint' ? BigInt(i) : i);
  return {
    get length() { return Number(em.table().length); },
    grow(n) { return Number(em.table().grow(index(n))); },
    get(i) { return em.table().get(index(i)); },
    set(i, v) { em.setTableEntry(i, v); },
  };
}
