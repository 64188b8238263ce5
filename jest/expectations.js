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
    S20: 'the loading thread (the PROXY_TO_PTHREAD main, with its own callbacks) has the longest table, and 3.1.69 ' +
        'places the module\'s table region at dso.table_addr in every other thread, growing their shorter tables to ' +
        'reach it, so every thread gets the same slots (measured: stock 3.1.69 passes 8/8 checks; from 4.0.9 stock ' +
        'aborts with "table index is out of bounds")',
  },
};

// Scenarios about a hang (issue 19): what stock does there is measured per toolchain ('*': any
// other), as the results its runs showed (several where runs differ), with why. A stock `fail`
// must still show a table symptom.
const stockMeasured = {
  S16: { results: { '*': ['hang'] },
    why: 'the main thread, blocked in pthread_join, runs the dlopen\'s request but finishes its part in a promise chain that needs its event loop (emscripten #19848; measured on every installed toolchain)' },
  S17: { results: { '*': ['hang'] }, why: 'as S16, with future::wait_for (emscripten #19848\'s own shape)' },
  S18: { results: { '3.1.69': ['hang'], '4.0.9': ['hang'], '5.0.3': ['hang'], '*': ['fail'] },
    why: 'before 5.0.7 a main-thread dlopen waits synchronously for each thread, and the pool\'s threads, asleep in an unbounded futex wait, are never woken to answer; from 5.0.7 they are, and the task module lands at other slots in them (a table symptom)' },
  S19: { results: { '3.1.69': ['hang'], '4.0.9': ['hang'], '5.0.3': ['hang'], '*': ['fail'] },
    why: 'before 5.0.7 the dlopen waits for the spinning threads one by one, and those that cool down meanwhile fall asleep before their request is queued, never to answer; from 5.0.7 it gets through and the task module lands at other slots in them (a table symptom)' },
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
// Rows of a route known to fail in a build variant, with why (measured; a pass fails the suite
// too, so the mark goes the day it is no longer true). variant: a regex on the variant's name.
const routeKnownFailing = [
  { mode: 'postlink', variant: /-mm2(-|$)/, scenarios: ['S2', 'S11'],
    why: 'a MAIN_MODULE=2 build exports no malloc, and these load a side module from JS asynchronously (loadAsync): ' +
      'the post-link runtime has no memory to record where its data went, warns ("cannot record where …\'s data went"), ' +
      'and workers load the module anew; the library route exports malloc for it. Measured on 5.0.3 and 6.0.8 (2026-12-04)' },
];

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
  S12: { variant: /^O[02]-a1/, matches: /corrupted its heap memory area \(address zero\)/,
    why: 'ASSERTIONS stock: the worker calls, at a reused slot, a function other than the main thread\'s, which writes through address zero; emscripten\'s heap check aborts before any check is recorded (measured at -O0 on 6.0.5 and 6.0.8, at -O2 on 5.0.3; the plugin passes the same builds)' },
};
function tableSymptom(row) {
  for (const line of row.evidence || []) {
    if (/^check .* in .*: (mismatch|error): /.test(line)) return line;
    if (TABLE_TRAP.test(line)) return line;
  }
  const other = stockOtherSymptom[row.scenario];
  const where = other && other.variant.test(row.variant || '') && (!other.host || other.host.test(row.host || 'node')) &&
    (!other.toolchain || other.toolchain.test(row.toolchain || ''));
  if (where && (row.evidence || []).some((l) => other.matches.test(l))) return `${other.matches.source} (${other.why})`;
  return null;
}

function expectedOutcome(toolchain, scenarioId, mode, variant = 'O2-a0-mm1') {
  if (mode !== 'stock' && pluginRefused[toolchain]) {
    return { assert: true, result: 'build-error', detailMatches: pluginRefused[toolchain][mode], reason: 'the plugin refuses this version' };
  }
  if (informational[toolchain]) return { assert: false, reason: informational[toolchain] };
  if (mode === 'stock' && stockMeasured[scenarioId]) {
    const { results, why } = stockMeasured[scenarioId];
    return { assert: true, result: 'measured', allowed: results[toolchain] || results['*'], reason: `measured: ${why}` };
  }
  if (mode === 'stock') {
    const reason = stockNotAffected[toolchain]?.[scenarioId];
    return reason ? { assert: true, result: 'pass', reason: `not affected: ${reason}` } : { assert: true, result: 'fail' };
  }
  if (mode === 'upstream-patched' && upstreamLacks[scenarioId]) {
    return { assert: true, result: 'fail', reason: `the upstream patch lacks it: ${upstreamLacks[scenarioId]}` };
  }
  const route = routeKnownFailing.find((k) => k.mode === mode && k.variant.test(variant) && k.scenarios.includes(scenarioId));
  if (route) return { assert: true, result: 'fail', reason: `known to fail in this variant: ${route.why}` };
  const known = (pluginKnownFailing[toolchain] || []).includes(scenarioId);
  return known ? { assert: true, result: 'fail', reason: 'known-failing until the plugin lands' } : { assert: true, result: 'pass' };
}

// Throws, with the reason a person needs, when a report row does not show what `exp`
// (expectedOutcome) says it must. `where` names the row: "S3 stock on 6.0.5 (O2-a0-mm1)".
function checkRow(row, exp, { id, mode, where }) {
  if (!exp.assert) return;
  if (exp.result === 'measured') {
    if (!exp.allowed.includes(row.result)) {
      throw new Error(`${where}: stock ${row.result} (${row.detail}), but measured stock ${exp.allowed.join(' or ')} here: ` +
        'if emscripten changed, measure it again and update stockMeasured in jest/expectations.js');
    }
    if (row.result === 'fail' && !tableSymptom(row)) {
      throw new Error(`control failed for another reason: ${where}: ${row.detail} (a stock fail must show a table symptom)`);
    }
    return;
  }
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

// The real-Python suite (jest/python.test.js, issue 24): plugin and postlink rows must pass; a stock
// row must fail with a table symptom, or show what was measured for that case and toolchain
// (pythonStockMeasured: case → { results: toolchain or '*' → allowed results, why }).
const pythonStockMeasured = {};
function pythonExpectation(toolchain, name, mode) {
  if (mode !== 'stock') return { result: 'pass' };
  const measured = pythonStockMeasured[name];
  return { result: 'fail', allowed: measured ? measured.results[toolchain] || measured.results['*'] : ['fail'], reason: measured?.why || '' };
}
function checkPythonRow(row, exp, where) {
  if (exp.result === 'pass') {
    if (row.result !== 'pass') throw new Error(`${where}: ${row.result}: ${row.detail}`);
    return;
  }
  if (row.result === 'pass') throw new Error(`control did not bite: ${where} passes on stock: the case no longer creates the bug`);
  if (!exp.allowed.includes(row.result)) {
    throw new Error(`${where}: stock ${row.result} (${row.detail}), but stock ${exp.allowed.join(' or ')} is what was measured here` +
      (row.result === 'build-error' ? ' (a stock build that fails proves nothing)' : ': measure it again and update pythonStockMeasured in jest/expectations.js'));
  }
  if (row.result === 'fail' && !tableSymptom(row)) {
    throw new Error(`control failed for another reason: ${where}: ${row.detail} (a stock fail must show a table symptom)`);
  }
}

module.exports = { pythonStockMeasured, pythonExpectation, checkPythonRow, stockMeasured, stockOtherSymptom, stockNotAffected, informational, pluginRefused, pluginKnownFailing, routeKnownFailing, upstreamLacks, expectedOutcome, checkRow, tableSymptom };
