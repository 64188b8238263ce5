'use strict';
// The one place that says what each conformance row is expected to show.
//
// stock rows: every scenario must FAIL on stock emscripten with a table symptom (that proves the
// test bites), unless listed in stockNotAffected with the measured reason. A stock row that passes
// otherwise fails the suite as "control did not bite"; one that fails any other way (a hang, an
// unrelated crash) as "control failed for another reason".
// plugin rows (linked with the library), postlink rows (stock build patched afterwards),
// jstransform rows (patched inside the link by emcc --js-transform) and upstream-patched rows
// (6.0.8 with upstream/emscripten-6.0.8.patch applied, no plugin) must
// PASS, unless listed in pluginKnownFailing (then a pass fails the suite too, so the mark gets
// removed the day it is no longer true).

const stockNotAffected = {
  '3.1.69': {
    S7: 'every pointer S7 takes is in, or directly after, the C++ module\'s own table region ' +
        '(tableSize > 0: internal-linkage vtable and lambda code); 3.1.69 places that region at ' +
        'dso.table_addr in every thread and the GOT.func slots follow it, so the layout heals ' +
        'itself. Measured: stock 3.1.69 passes 8/8 checks. Modules with no region of their own ' +
        '(S3, S4) are affected.',
  },
};

// Toolchains whose rows are recorded but not asserted, with why.
const informational = {
  '3.1.6': '3.1.6 predates dlopen syncing between threads (no _emscripten_dlsync_self): a module ' +
    'loaded at runtime is never loaded in a worker, so there is no layout for the plugin to ' +
    'reproduce. Rows are recorded to document what happens there.',
};

// Toolchains the plugin refuses: each route's rows must be that refusal.
const pluginRefused = {
  '3.1.6': {
    plugin: /pthread-dylink: emscripten 3\.1\.6 predates dlopen syncing between threads/,
    postlink: /not patched: this looks like emscripten older than 3\.1\.27 \(no dlopen syncing between threads\)/,
    jstransform: /not patched: this looks like emscripten older than 3\.1\.27 \(no dlopen syncing between threads\)/,
  },
};

// Plugin rows known to fail, per toolchain: scenario ids.
const pluginKnownFailing = {};

// Scenarios the upstream patch (mode upstream-patched) does not cover yet, with why: a pass there
// fails the suite too, so the mark goes the day the patch carries the fix.
const upstreamLacks = {
  S8: 'its host-made wasm function (an instance created from JS bytes) travels with the plugin (issue 18); the upstream patch still gives workers the explaining stub',
  S15: 'wasm functions of instances created from JS, and in-place table writes, travel with the plugin (issue 18); the upstream patch does not carry that yet',
};

// What a stock row must show for its failure to be the bug (a control that fails for another reason
// proves nothing): a checked slot that held another function, or a trap or assertion about the
// function table. The wording of each engine: V8 ("table index is out of bounds", "null function or
// function signature mismatch"), SpiderMonkey ("index out of bounds", "indirect call to null",
// "indirect call signature mismatch", and its Table.get: "bad Table get address"), V8's Table.get ("invalid index N into function table", newer: "invalid address N in funcref table"), JavaScriptCore ("Out of bounds call_indirect", its Table.get: "expects an integer less than the length of the table", "call_indirect
// to a null table entry"), and emscripten's own ASSERTIONS checks of the table.
const TABLE_TRAP = new RegExp([
  'table index is out of bounds', 'null function', 'function signature mismatch', 'indirect call',
  'call_indirect', 'into function table', 'funcref table', 'bad Table get address', 'less than the length of the table', 'unexpected table size', 'table size', 'wasmTable', 'table mirror',
].join('|'), 'i');
// A failed check is one too, whatever it says: every probed function returns its id and cannot
// throw (cpp-tests/harness/pd_check.h), so an exception from a probe means the slot held another
// function (MEMORY64 stock: a JS import that fails on its BigInt arguments).
//
// Stock rows that fail before any check with a message that does not name the table, measured and
// explained (scenario → { variant pattern, message pattern, why }).
const stockOtherSymptom = {
  S11: { variant: /-m64/, matches: /The number NaN cannot be converted to a BigInt/,
    why: 'MEMORY64 stock: a pool thread starts at a start-routine pointer whose slot holds another function in the worker; that function dies converting its arguments (measured on 6.0.8; the plugin passes the same build)' },
  S7: { host: /^firefox$/, variant: /./, matches: /RuntimeError: index out of bounds/,
    why: 'SpiderMonkey words a side module\'s element segment that lies past the worker\'s table end as "index out of bounds" when the worker instantiates it (the dlopen then fails); Chromium reports the same run as "table index is out of bounds" (measured on 6.0.5 and 6.0.8; the plugin passes the same build)' },
  S12: { variant: /^O0-a1/, matches: /corrupted its heap memory area \(address zero\)/,
    why: '-O0 ASSERTIONS stock: the worker calls, at a reused slot, a function other than the main thread\'s, which writes through address zero; emscripten\'s heap check aborts before any check is recorded (measured on 6.0.5 and 6.0.8; the plugin passes the same build)' },
};
function tableSymptom(row) {
  for (const line of row.evidence || []) {
    if (/^check .* in .*: (mismatch|error): /.test(line)) return line;
    if (TABLE_TRAP.test(line)) return line;
  }
  const other = stockOtherSymptom[row.scenario];
  const where = other && other.variant.test(row.variant || '') && (!other.host || other.host.test(row.host || 'node'));
  if (where && (row.evidence || []).some((l) => other.matches.test(l))) return `${other.matches.source} (${other.why})`;
  return null;
}

function expectedOutcome(toolchain, scenarioId, mode) {
  if (mode !== 'stock' && pluginRefused[toolchain]) {
    return { assert: true, result: 'build-error', detailMatches: pluginRefused[toolchain][mode], reason: 'the plugin refuses this version' };
  }
  if (informational[toolchain]) return { assert: false, reason: informational[toolchain] };
  if (mode === 'stock') {
    const reason = stockNotAffected[toolchain]?.[scenarioId];
    return reason ? { assert: true, result: 'pass', reason: `not affected: ${reason}` } : { assert: true, result: 'fail' };
  }
  if (mode === 'upstream-patched' && upstreamLacks[scenarioId]) {
    return { assert: true, result: 'fail', reason: `the upstream patch lacks it: ${upstreamLacks[scenarioId]}` };
  }
  const known = (pluginKnownFailing[toolchain] || []).includes(scenarioId);
  return known ? { assert: true, result: 'fail', reason: 'known-failing until the plugin lands' } : { assert: true, result: 'pass' };
}

// Throws, with the reason a person needs, when a report row does not show what `exp`
// (expectedOutcome) says it must. `where` names the row: "S3 stock on 6.0.5 (O2-a0-mm1)".
function checkRow(row, exp, { id, mode, where }) {
  if (!exp.assert) return;
  if (exp.result === 'build-error') {
    if (row.result !== 'build-error') throw new Error(`${where}: expected the build to be refused, got ${row.result}: ${row.detail}`);
    if (!exp.detailMatches.test(row.detail)) throw new Error(`${where}: refused with the wrong message: ${row.detail}`);
    return;
  }
  if (mode === 'stock' && exp.result === 'fail' && row.result === 'pass') {
    throw new Error(`control did not bite: ${id} passes on stock: ${where}. ` +
      'Either the scenario no longer creates the bug, or this version is not affected: then say why in jest/expectations.js.');
  }
  if (mode === 'stock' && exp.result === 'fail' && row.result !== 'build-error' && !tableSymptom(row)) {
    throw new Error(`control failed for another reason: ${where}: ${row.result}: ${row.detail} ` +
      '(a stock row must fail with a table symptom: a checked slot holding another function, or a trap or assertion about the table)');
  }
  if (exp.result === 'fail' && row.result === 'pass') {
    throw new Error(`${where} passes but is marked known-failing: remove the mark in jest/expectations.js`);
  }
  if (row.result === 'build-error' && mode === 'stock') {
    throw new Error(`stock build failed, so the control proves nothing: ${where}: ${row.detail}`);
  }
  if (exp.result === 'pass' && row.result !== 'pass') {
    throw new Error(`${where}: ${row.result}: ${row.detail}`);
  }
}

module.exports = { stockOtherSymptom, stockNotAffected, informational, pluginRefused, pluginKnownFailing, upstreamLacks, expectedOutcome, checkRow, tableSymptom };
