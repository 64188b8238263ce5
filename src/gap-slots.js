// Gap slots: table entries one thread makes outside any module load (addFunction and
// removeFunction from JS, host callbacks). Module loads are replayed slot for slot (slot-ops.js);
// these are not loads, so no other thread repeats them and the slot stays empty there. Each is
// written down as a note in the shared log; a thread reads the notes it has not seen yet when a
// pthread starts on it and decides what goes in each slot:
//   'wasm'   a wasm function exported by a module (or by the main module): the same export of
//            this thread's instance of that module, so the pointer calls the same code;
//   'js'     a JS function: it exists only on the thread that added it, so a stub that throws an
//            error naming the slot, its owner and the fix;
//   'freed'  removeFunction: empty again (and free for what the owner adds there next).
// Notes apply in log order, so a slot freed and reused ends up holding its latest meaning.

export class GapSlotPlanner {
  constructor(threadId) {
    this.threadId = threadId;
    this.seen = 0; // how many notes of the shared list plan() has had
    this.pending = []; // notes for slots this thread's table does not reach yet
  }

  // count: how many notes the shared list holds.
  hasWork(count) {
    return count > this.seen || this.pending.length > 0;
  }

  // Whether exactly one note came since the last plan() and none wait for the table to grow.
  onlyOneNew(count) {
    return count === this.seen + 1 && this.pending.length === 0;
  }

  // That one note is in place, as plan() would have put it: another thread's, in reach.
  appliedOne() {
    this.seen++;
  }

  // Whether the table already reaches every slot the next plan(fresh) may fill (table.reaches:
  // table-view.js): then the caller need not work out how far the table may grow.
  reachesAll(fresh, table) {
    for (const note of fresh) if (!table.reaches(note.slot)) return false;
    for (const note of this.pending) if (!table.reaches(note.slot)) return false;
    return true;
  }

  // fresh: the notes after the `seen` planned before, in log order (SharedState.notesFrom(seen)).
  // reach: slots below it may be filled (the table grown to them).
  // Returns the notes to apply, in log order; a 'freed' one means "empty the slot".
  //
  // A slot's latest note wins, whatever this thread holds there: a slot every thread filled at
  // start-up or in a replayed load (a module export) can be freed and reused on one thread, and
  // then it means the new thing everywhere. Only when the latest note is this thread's own is
  // the slot left alone: that entry is already in place here.
  plan(fresh, reach) {
    this.seen += fresh.length;
    // The usual case, one new note after an addFunction or a burst of them on fresh slots: slots
    // that only go up name each slot once, so every note is its slot's latest and no map of
    // latest notes is needed (building one cost ~0.2 µs a note in a start that applied 10,000).
    if (this.pending.length === 0 && slotsAscend(fresh)) return this.planInOrder(fresh, reach);
    const latest = latestNotes(this.pending, latestNotes(fresh));
    this.pending = [];
    const actions = [];
    for (const note of latest.values()) this.sort(note, reach, actions);
    // Log order (latestNotes walks newest first): pending stays oldest first too.
    this.pending.reverse();
    return actions.reverse();
  }

  planInOrder(fresh, reach) {
    const actions = [];
    for (const note of fresh) this.sort(note, reach, actions);
    return actions;
  }

  // A slot's latest note: to apply now, to keep for later, or (this thread's own) nothing to do.
  sort(note, reach, actions) {
    if (note.threadId === this.threadId) return;
    // Growing the table this far would put it past the start of a module this thread may still
    // load (6.x asserts the table ends exactly there): wait until it has.
    if (note.slot >= reach) this.pending.push(note);
    else actions.push(note);
  }
}

function slotsAscend(notes) {
  for (let i = 1; i < notes.length; i++) if (notes[i].slot <= notes[i - 1].slot) return false;
  return true;
}

// slot → the last of `notes` (in log order) about it: what the slot means now. Adds to `latest`,
// never replacing a slot it already has: notes come newest last, and `latest` holds newer ones
// than these.
export function latestNotes(notes, latest = new Map()) {
  for (let i = notes.length - 1; i >= 0; i--) {
    if (!latest.has(notes[i].slot)) latest.set(notes[i].slot, notes[i]);
  }
  return latest;
}

// This thread's function for export `symbol` of `module`, or null when the module is not loaded
// here (or still loading) or exports no function by that name. libs: LDSO.loadedLibsByName.
export function loadedExport(libs, module, symbol) {
  const func = libs[module]?.exports?.[symbol];
  return typeof func === 'function' ? func : null;
}

// Which module export `func` is: { module, symbol }, or null. libs: emscripten's
// LDSO.loadedLibsByName. Side modules first: their exports are also merged into the main
// module's symbol table ('__main__'), but in another thread the module's own name is what says
// whether it has been loaded there yet.
export function exportOf(func, libs) {
  let merged = null;
  for (const module of Object.keys(libs)) {
    const exports = libs[module]?.exports;
    if (!exports || typeof exports !== 'object') continue; // 'loading'
    for (const symbol of Object.keys(exports)) {
      if (exports[symbol] !== func) continue;
      if (module !== '__main__') return { module, symbol };
      merged ??= { module, symbol };
      break;
    }
  }
  return merged;
}
