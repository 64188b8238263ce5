// The post-link transform: add the pthread-dylink runtime to a .js that emscripten generated
// without --js-library library_pthread_dylink.js. One insertion, after the last definition the
// runtime wraps; nothing of emscripten's is rewritten.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import * as acorn from 'acorn';
import { findAnchors, Unpatchable } from './anchors.mjs';
import { installCall, transformMem, transformSetTableEntry } from './install-call.mjs';

export { Unpatchable };

// Present in every file that carries the runtime, by either route.
export const RUNTIME_MARKER = 'pthreadDylink.install(';
// The block `patch` adds, between these two comments; BEGIN names the tool's version so a newer
// tool can replace an older block. (Emscripten's minifier drops comments: output patched inside
// the link by --js-transform and then minified reads as 'linked'.)
const BEGIN = /\/\* pthread-dylink (\S+) runtime \(added after linking by `pthread-dylink patch`\) \*\//;
const END = '/* end of the pthread-dylink runtime */';
// The first tool's block: no version, no end marker. Its extent cannot be known for sure.
const BEGIN_UNVERSIONED = '/* pthread-dylink runtime (added after linking by `pthread-dylink patch`) */';

function begin(version) {
  return `/* pthread-dylink ${version} runtime (added after linking by \`pthread-dylink patch\`) */`;
}

// Which pthread-dylink version's block the text carries: a version, 'unversioned' (the first
// tool's format) or null.
export function patchedBy(text) {
  const m = text.match(BEGIN);
  if (m) return m[1];
  return text.includes(BEGIN_UNVERSIONED) ? 'unversioned' : null;
}

export function status(text) {
  if (!text.includes(RUNTIME_MARKER)) return 'unpatched';
  return BEGIN.test(text) || text.includes(BEGIN_UNVERSIONED) ? 'patched' : 'linked';
}

// Returns { status, text, summary }. Throws Unpatchable (text untouched) when it cannot.
// version: this tool's version, written into the block it adds. inputChecked: the caller checks
// that the input is a whole program itself (patchFile: on another thread, at the same time).
export function patchText(text, runtimeExpression, version = 'dev', { inputChecked = false } = {}) {
  const before = status(text);
  if (before === 'linked') {
    return { status: 'already', text, summary: 'the runtime is already linked in (--js-library); nothing to do' };
  }
  if (before === 'patched') {
    if (text.includes(BEGIN_UNVERSIONED)) {
      throw new Unpatchable('patched by an older pthread-dylink (before 0.2.0) whose block cannot be replaced safely: ' +
        'patch the build output as emscripten wrote it (relink, or restore the unpatched file)');
    }
    const m = text.match(BEGIN);
    if (m[1] === version) return { status: 'already', text, summary: 'already patched; nothing to do' };
    // Another version's block: take it out whole (it must end where it says), then patch afresh.
    const start = text.lastIndexOf('\n', m.index);
    const end = text.indexOf(END, m.index);
    if (start === -1 || end === -1) {
      throw new Unpatchable(`patched by pthread-dylink ${m[1]}, but its block has no end marker: restore the unpatched file and patch again`);
    }
    const unpatched = text.slice(0, start) + text.slice(end + END.length + 1);
    const fresh = patchText(unpatched, runtimeExpression, version);
    return { ...fresh, summary: `replaced the runtime of pthread-dylink ${m[1]} with ${version}; ${fresh.summary}` };
  }
  if (!inputChecked) assertWholeProgram(text, 'the input');
  const found = findAnchors(text);
  const { layout, insertAt, wraps, absent } = found;
  assertReachesStartup(text, insertAt);
  const snippet = `\n${begin(version)}\nvar pthreadDylink = ${runtimeExpression};\n${installCall({
    version: 'null',
    shape: "'dlsync'",
    dso: Object.fromEntries(Object.entries(layout).map(([k, v]) => [k, String(v)])),
    mem: transformMem(found),
    setTableEntry: transformSetTableEntry(text),
  }, wraps)}\n${END}\n`;
  const patched = text.slice(0, insertAt) + snippet + text.slice(insertAt);
  const traits = [found.memory64 && 'MEMORY64', found.access !== 'plain' && `memory growth: ${found.access}`].filter(Boolean);
  assertWholeProgram(patched, 'the patched output (a pthread-dylink bug: please report it)');
  return {
    status: 'patched',
    text: patched,
    summary: `added the runtime after offset ${insertAt}; wraps ${wraps.join(', ')}` +
      (absent.length ? `; not in this build, so not wrapped: ${absent.join(', ')}` : '') +
      `; dso layout ${JSON.stringify(layout)}${traits.length ? ` (${traits.join(', ')})` : ''}`,
  };
}

// The whole text must be a valid program, or nothing is written: anchors are found statement by
// statement, so a truncated file (a build interrupted, a copy cut short) could otherwise be
// patched with the wrappers past the cut silently missing. V8 compiles a script without running
// it (~0.1 s for 5 MB, inner functions pre-parsed); an ES module (-sEXPORT_ES6) is not a script,
// so acorn parses it instead.
export function assertWholeProgram(text, what) {
  judgeCompile(compileScript(text), text, what);
}

// What V8 says of `text` as a script: null (it compiles) or { name, message, stack }.
function compileScript(text) {
  try {
    new vm.Script(text, { filename: 'input.js' });
    return null;
  } catch (e) {
    if (!(e instanceof SyntaxError) && e?.name !== 'SyntaxError') throw e;
    return { name: e.name, message: e.message, stack: String(e.stack) };
  }
}

function judgeCompile(error, text, what) {
  if (!error) return;
  if (!/\b(import|export)\b/.test(error.message)) throw new Unpatchable(`${what} is not valid JavaScript (${where(error)}): a truncated or hand-edited file? patch the file emcc wrote`);
  try {
    acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch (e) {
    throw new Unpatchable(`${what} is not valid JavaScript (SyntaxError: ${e.message}): a truncated or hand-edited file? patch the file emcc wrote`);
  }
}

// The input's check on a worker thread while this one finds the anchors and checks the output:
// the two whole-file compiles are most of a patch's time, and they do not depend on each other.
// join() returns when it is done and throws what assertWholeProgram would have.
const CHECK_ON_WORKER = `
const { workerData } = require('node:worker_threads');
const vm = require('node:vm');
let reply = null;
try { new vm.Script(workerData.text, { filename: 'input.js' }); }
catch (e) { reply = { name: e && e.name, message: e && e.message, stack: String(e && e.stack) }; }
workerData.port.postMessage({ error: reply });
Atomics.store(workerData.done, 0, 1);
Atomics.notify(workerData.done, 0);
`;
function startInputCheck(text) {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(CHECK_ON_WORKER, { eval: true, workerData: { text, port: port2, done }, transferList: [port2] });
  worker.unref();
  const stop = () => { worker.terminate(); port1.close(); };
  return {
    stop,
    join(what) {
      const answered = Atomics.wait(done, 0, 0, 120000) !== 'timed-out';
      const reply = answered ? receiveMessageOnPort(port1)?.message : undefined;
      stop();
      // No answer (a worker that could not start): check here instead.
      const error = reply ? reply.error : compileScript(text);
      if (error && error.name !== 'SyntaxError') throw new Error(`pthread-dylink: checking ${what} failed: ${error.message}`);
      judgeCompile(error, text, what);
    },
  };
}

// A file cut between two statements is still valid JavaScript. Every emscripten program ends
// with its start-up, `run()` (after `function run(`, and after every definition we wrap): a file
// that does not get there is not whole, whatever optional definitions seem to be missing.
function assertReachesStartup(text, insertAt) {
  const definition = text.search(/(?:^|[^\w$.])function run\(/);
  let call = -1;
  for (const m of text.matchAll(/(?:^|[^\w$.])run\(\)/g)) call = m.index;
  if (definition === -1 || call < Math.max(definition, insertAt)) {
    throw new Unpatchable('the input ends before emscripten\'s start-up code (no run() call after `function run`): ' +
      'a truncated file? patch the file emcc wrote');
  }
}

// "SyntaxError: Unexpected end of input at line 1234" from V8's error (its stack names the line).
function where(e) {
  const line = String(e.stack).match(/^input\.js:(\d+)/m);
  return `${e.name}: ${e.message}${line ? ` at line ${line[1]}` : ''}`;
}

// patchText with the input checked on another thread meanwhile. A broken input explains any
// other refusal (anchors missing past a cut), so its reason comes first.
function patchChecked(text, runtimeExpression, version) {
  if (status(text) !== 'unpatched') return patchText(text, runtimeExpression, version);
  const inputCheck = startInputCheck(text);
  let result;
  try {
    result = patchText(text, runtimeExpression, version, { inputChecked: true });
  } catch (e) {
    if (e instanceof Unpatchable) inputCheck.join('the input');
    else inputCheck.stop();
    throw e;
  }
  inputCheck.join('the input');
  return result;
}

export function readInput(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Unpatchable(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

// Patch a file in place, atomically (write beside it, then rename). check: report only.
export function patchFile(file, runtimeExpression, { check = false, version = 'dev' } = {}) {
  const text = readInput(file);
  const result = patchChecked(text, runtimeExpression, version);
  if (check || result.status !== 'patched') return result;
  // Renaming over a read-only file would succeed (and root may write anything): keep read-only
  // meaning read-only.
  const { mode } = fs.statSync(file);
  if (!(mode & 0o222)) throw new Unpatchable(`cannot write ${file}: it is read-only`);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.pthread-dylink-${process.pid}`);
  try {
    fs.writeFileSync(tmp, result.text, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Unpatchable(`cannot write ${file}: ${e.code === 'EACCES' || e.code === 'EPERM' ? 'not writable' : e.message}`);
  }
  return result;
}
