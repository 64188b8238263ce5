'use strict';
// The judge of conformance rows (jest/expectations.js) and the verdict on a run
// (tools/conformance.js judgeRun), fed the outcomes a control must not count as the bug biting:
// a hang, an unrelated crash, a run that stopped before making all its checks.
const { checkRow, expectedOutcome, tableSymptom } = require('./expectations');
const { judgeRun } = require('../tools/conformance');

const check = (o) => `PDCHECK ${JSON.stringify({ thread: 'worker1', check: 'side_value', slot: 47, expected: 1001, actual: 1001, error: '', ...o })}`;
const run = (stdout, { code = 1, stderr = '', timedOut = false } = {}) => ({ code, signal: null, stdout: stdout.join('\n'), stderr, timedOut });
const judge = (r, opts = {}) => judgeRun(r, { timeoutMs: 60000, ...opts });
const stockRow = (judged) => checkRow(judged, expectedOutcome('6.0.5', 'S3', 'stock'), { id: 'S3', mode: 'stock', where: 'S3 stock on 6.0.5' });

describe('a stock control bites only with a table symptom', () => {
  test('a checked slot holding another function is the bug', () => {
    const judged = judge(run([check({ actual: 1002 }), 'PDRESULT fail 0/1']));
    expect(judged.result).toBe('fail');
    expect(tableSymptom(judged)).toMatch(/mismatch: slot 47 expected function id 1001, got 1002/);
    expect(() => stockRow(judged)).not.toThrow();
  });

  test.each([
    ['V8', 'RuntimeError: table index is out of bounds'],
    ['V8', 'RuntimeError: null function or function signature mismatch'],
    ['SpiderMonkey', 'RuntimeError: indirect call to null'],
    ['JavaScriptCore', 'RuntimeError: Out of bounds call_indirect (evaluating \'f()\')'],
  ])('a probe that trapped on the table (%s: %s) is the bug', (engine, message) => {
    const judged = judge(run([check({ actual: -2147483648, error: message }), 'PDRESULT fail 0/1']));
    expect(tableSymptom(judged)).toContain(message);
    expect(() => stockRow(judged)).not.toThrow();
  });

  test('emscripten\'s own table assertion, with no check printed, is the bug', () => {
    const judged = judge(run([], { stderr: 'Aborted(Assertion failed: unexpected table size while loading)' }));
    expect(judged.result).toBe('fail');
    expect(() => stockRow(judged)).not.toThrow();
  });

  test('a table trap after another error line (a failed load, then the worker\'s trap) is the bug', () => {
    const judged = judge(run([], { stderr: '_dlopen_js failed: could not load dynamic lib: s7_side.so\nworker sent an error! main.js:1: Uncaught RuntimeError: table index is out of bounds' }));
    expect(tableSymptom(judged)).toMatch(/table index is out of bounds/);
    expect(() => stockRow(judged)).not.toThrow();
  });

  test('Chromium\'s newer Table.get wording is the bug', () => {
    const judged = judge(run([], { stderr: 'uncaught: Uncaught RangeError: WebAssembly.Table.get(): invalid address 4600 in funcref table of size 4600' }));
    expect(() => stockRow(judged)).not.toThrow();
  });

  test('a hang is not', () => {
    const judged = judge(run([check({})], { code: null, timedOut: true }));
    expect(judged.result).toBe('hang');
    expect(tableSymptom(judged)).toBeNull();
    expect(() => stockRow(judged)).toThrow(/control failed for another reason: .*hang/);
  });

  test('a probe that threw (the slot held a function that fails on its arguments) is the bug', () => {
    const judged = judge(run([check({ actual: -2147483648, error: 'Cannot convert undefined to a BigInt' }), 'PDRESULT fail 0/1']));
    expect(() => stockRow(judged)).not.toThrow();
  });

  test('Firefox\'s and WebKit\'s words for the table: Table.get past the end, and S7\'s element segment past it (Firefox)', () => {
    const get = judge(run([], { stderr: 'worker sent an error! main.js:1: RangeError: bad Table get address' }));
    expect(tableSymptom(get)).toMatch(/bad Table get address/);
    const jsc = judge(run([], { stderr: 'worker sent an error! main.js:1: RangeError: WebAssembly.Table.prototype.get expects an integer less than the length of the table' }));
    expect(tableSymptom(jsc)).toMatch(/length of the table/);
    const segment = { ...judge(run([], { stderr: 'RuntimeError: index out of bounds' })), scenario: 'S7', variant: 'O2-a0-mm1' };
    expect(tableSymptom({ ...segment, host: 'firefox' })).toMatch(/SpiderMonkey/);
    expect(tableSymptom({ ...segment, host: 'chromium' })).toBeNull();
    expect(tableSymptom(segment)).toBeNull();
  });

  test('a measured other symptom counts only for its scenario and variant', () => {
    const judged = { ...judge(run([], { stderr: 'Aborted(Runtime error: The application has corrupted its heap memory area (address zero)!)' })), scenario: 'S12' };
    expect(tableSymptom({ ...judged, variant: 'O0-a1-mm1' })).toMatch(/address zero/);
    expect(tableSymptom({ ...judged, variant: 'O2-a0-mm1' })).toBeNull();
    expect(tableSymptom({ ...judged, scenario: 'S3', variant: 'O0-a1-mm1' })).toBeNull();
  });

  test('an unrelated crash is not', () => {
    const judged = judge(run([check({})], { stderr: 'Aborted(Stack overflow! Stack cookie has been overwritten)' }));
    expect(judged.result).toBe('fail');
    expect(() => stockRow(judged)).toThrow(/control failed for another reason/);
  });

  test('a stock pass still fails the suite as a control that did not bite', () => {
    const judged = judge(run([check({}), 'PDRESULT pass 1/1'], { code: 0 }));
    expect(judged.result).toBe('pass');
    expect(() => stockRow(judged)).toThrow(/control did not bite/);
  });
});

describe('a run is complete only with every check it declares', () => {
  test('fewer checks than declared fail the row, though each passed (a load that failed ended it early)', () => {
    const judged = judge(run([check({}), check({}), check({}), 'PDRESULT pass 3/3'], { code: 0 }), { expectChecks: 5 });
    expect(judged.result).toBe('fail');
    expect(judged.detail).toMatch(/recorded 3 of its 5 checks/);
  });

  test('as many as declared pass', () => {
    const judged = judge(run([check({}), check({}), 'PDRESULT pass 2/2'], { code: 0 }), { expectChecks: 2 });
    expect(judged.result).toBe('pass');
  });

  test('a plugin row that stopped early is reported as a failure', () => {
    const judged = judge(run([check({}), 'PDRESULT pass 1/1'], { code: 0 }), { expectChecks: 4 });
    expect(() => checkRow(judged, expectedOutcome('6.0.5', 'S11', 'plugin'), { id: 'S11', mode: 'plugin', where: 'S11 plugin' }))
      .toThrow(/recorded 1 of its 4 checks/);
  });
});

// S10 (issue 22): its stock row could not pass whatever the table did, since the program
// corrupted its own table and only a verifier could report that. Now the corruption is made only
// where a verifier is linked in, and each run is judged for the world it ran in.
describe('the verify-mode scenario is judged for the world it ran in', () => {
  const { listScenarios, scenarioExpectations } = require('../tools/conformance');
  const s10 = listScenarios().find((s) => s.id === 'S10');
  const verifyError = 'pthread-dylink verify: table slot 12 differs between threads: the main thread has wasm function #3 there (s10_side.so), worker thread #2 has wasm function #4';

  test('without a verifier and without the bug, the stock program passes', () => {
    const judged = judge(run(['PDVERIFIER off', check({}), check({}), check({}), 'PDRESULT pass 3/3'], { code: 0 }), scenarioExpectations(s10, 'stock'));
    expect(judged.result).toBe('pass');
  });

  test('with the bug, the stock program fails with a table symptom', () => {
    const judged = judge(run(['PDVERIFIER off', check({ actual: 1002 }), check({}), check({}), 'PDRESULT fail 2/3']), scenarioExpectations(s10, 'stock'));
    expect(judged.result).toBe('fail');
    expect(tableSymptom(judged)).toMatch(/mismatch/);
  });

  test('a plugin route passes only with its verifier, its checks, then the error', () => {
    const expectations = scenarioExpectations(s10, 'plugin');
    expect(judge(run(['PDVERIFIER on', check({}), check({}), 'PDRESULT pass 2/2', verifyError]), expectations).result).toBe('pass');
    const unverified = judge(run(['PDVERIFIER off', check({}), check({}), check({}), 'PDRESULT pass 3/3'], { code: 0 }), expectations);
    expect(unverified.result).toBe('fail');
    expect(unverified.detail).toMatch(/table verifier off, but this route must link one/);
  });
});

describe('hang scenarios (issue 19): stock is judged against what it was measured to do', () => {
  const hangRow = (toolchain, id, judged) => checkRow(judged, expectedOutcome(toolchain, id, 'stock'), { id, mode: 'stock', where: `${id} stock on ${toolchain}` });

  test('a wait the program bounds itself and that ran out is a hang', () => {
    const judged = judge(run([check({ thread: 'main', check: 'join', expected: 0, actual: 110, error: 'thread did not finish within the bound (hang)' }), 'PDRESULT fail 0/1']));
    expect(judged.result).toBe('hang');
    expect(judged.detail).toMatch(/thread main, join: thread did not finish/);
  });

  test('a measured stock hang passes as the control; a stock pass where it hung does not', () => {
    const hung = judge(run([check({ thread: 'main', check: 'join', error: 'thread did not finish within the bound (hang)' })]));
    expect(() => hangRow('5.0.3', 'S16', hung)).not.toThrow();
    const passed = judge(run([check({}), 'PDRESULT pass 1/1'], { code: 0 }), { expectChecks: 1 });
    expect(() => hangRow('5.0.3', 'S16', passed)).toThrow(/measured stock hang here/);
  });

  test('where stock was measured to fail, its fail must still be the table\'s', () => {
    const trapped = judge(run([check({ actual: -2147483648, error: 'table index is out of bounds (slot 4619, table length 4619)' }), 'PDRESULT fail 0/1']));
    expect(() => hangRow('6.0.5', 'S18', trapped)).not.toThrow();
    const other = judge(run([], { stderr: 'Error: ENOENT: no such file' }));
    expect(() => hangRow('6.0.5', 'S18', other)).toThrow(/control failed for another reason/);
    expect(() => hangRow('5.0.3', 'S18', trapped)).toThrow(/measured stock hang here/);
  });
});

test('a route known to fail in a variant is held to failing there, and only there', () => {
  const row = (result) => ({ result, detail: 'x', evidence: [] });
  const mm2 = expectedOutcome('6.0.8', 'S2', 'postlink', 'O2-a0-mm2');
  expect(mm2).toMatchObject({ assert: true, result: 'fail' });
  expect(mm2.reason).toMatch(/exports no malloc/);
  expect(() => checkRow(row('pass'), mm2, { id: 'S2', mode: 'postlink', where: 'S2 postlink' })).toThrow();
  expect(() => checkRow(row('fail'), mm2, { id: 'S2', mode: 'postlink', where: 'S2 postlink' })).not.toThrow();
  expect(expectedOutcome('6.0.8', 'S2', 'postlink', 'O2-a0-mm1')).toEqual({ assert: true, result: 'pass' });
  expect(expectedOutcome('6.0.8', 'S2', 'plugin', 'O2-a0-mm2')).toEqual({ assert: true, result: 'pass' });
  expect(expectedOutcome('6.0.8', 'S3', 'postlink', 'O2-a0-mm2')).toEqual({ assert: true, result: 'pass' });
});

describe('the real-Python suite\'s rows (jest/python.test.js)', () => {
  const { pythonExpectation, checkPythonRow } = require('./expectations');
  const pyCheck = (o) => `PDCHECK ${JSON.stringify({ check: 'kernel 0 on the interpreter thread', thread: 'MainThread', slot: 11651, expected: '247', actual: '247', ...o })}`;
  const judged = (stdout, opts) => ({ toolchain: '6.0.5', case: 'pool', ...judge(run(stdout, opts), { expectChecks: 1 }) });
  const stock = (row) => checkPythonRow(row, pythonExpectation('6.0.5', 'pool', 'stock'), 'pool stock on 6.0.5');
  const plugin = (row) => checkPythonRow(row, pythonExpectation('6.0.5', 'pool', 'plugin'), 'pool plugin on 6.0.5');

  test('a stock run that called another function, or trapped on the table, is the bug', () => {
    expect(() => stock(judged([pyCheck({ actual: '2005' }), 'PDRESULT fail']))).not.toThrow();
    expect(() => stock(judged([], { stderr: '_dlopen_js failed: could not load dynamic lib: pdtasks.so\nRuntimeError: WebAssembly.Instance(): table index is out of bounds' }))).not.toThrow();
  });

  test('a stock run that passes, crashes for another reason, hangs or fails to build proves nothing', () => {
    expect(() => stock(judged([pyCheck(), 'PDRESULT pass'], { code: 0 }))).toThrow(/control did not bite/);
    expect(() => stock(judged([], { stderr: 'ModuleNotFoundError: No module named \'encodings\'' }))).toThrow(/control failed for another reason/);
    expect(() => stock(judged([], { timedOut: true }))).toThrow(/stock hang .* but stock fail is what was measured/);
    expect(() => stock({ result: 'build-error', detail: 'emcc failed' })).toThrow(/a stock build that fails proves nothing/);
  });

  test('plugin and postlink rows must pass', () => {
    expect(() => plugin(judged([pyCheck(), 'PDRESULT pass'], { code: 0 }))).not.toThrow();
    expect(() => plugin(judged([pyCheck({ actual: '2005' }), 'PDRESULT fail']))).toThrow(/pool plugin on 6.0.5: fail/);
  });
});
