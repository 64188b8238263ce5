// Emscripten's table as SlotOps and the gap-slot filler use it: Number indices whatever the
// table's index type (a MEMORY64 build's table is a table64: its length, grow() result and
// indices are BigInts), and every write through emscripten's setWasmTableEntry, which keeps its
// per-thread cache (wasmTableMirror: dynCall, invoke_*, pthread start routines) in step.
// em: { table() (looked up on each use: 4.0.19+ re-points wasmTable at the module's export),
//       setTableEntry(i, v) }.
export function tableView(em) {
  const index = (table, i) => (typeof table.length === 'bigint' ? BigInt(i) : i);
  // A table never shrinks, so a length once read stays a lower bound for that table: reaches()
  // asks the table again only past it. (`length` is a call into the engine; at a pthread start
  // after an addFunction it cost ~100 ns of the ~1 µs the one note took, measured.)
  let known = null;
  let knownLength = 0;
  return {
    get length() { return Number(em.table().length); },
    reaches(i) {
      const t = em.table();
      if (t === known && i < knownLength) return true;
      known = t;
      knownLength = Number(t.length);
      return i < knownLength;
    },
    grow(n) { const t = em.table(); return Number(t.grow(index(t, n))); },
    get(i) { const t = em.table(); return t.get(index(t, i)); },
    set(i, v) { em.setTableEntry(i, v); },
  };
}
