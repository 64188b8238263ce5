// The post-link transform: add the pthread-dylink runtime to a .js that emscripten generated
// without --js-library library_pthread_dylink.js. One insertion, after the last definition the
// runtime wraps; nothing of emscripten's is rewritten.
import fs from 'node:fs';
import path from 'node:path';
import * as acorn from 'acorn';
import { findAnchors, Unpatchable } from './anchors.mjs';
import { installCall } from './install-call.mjs';

export { Unpatchable };

// Present in every file that carries the runtime, by either route.
export const RUNTIME_MARKER = 'pthreadDylink.install(';
const BEGIN = '/* pthread-dylink runtime (added after linking by `pthread-dylink patch`) */';

export function status(text) {
  if (text.includes(RUNTIME_MARKER)) return text.includes(BEGIN) ? 'patched' : 'linked';
  return 'unpatched';
}

// Returns { status, text, summary }. Throws Unpatchable (text untouched) when it cannot.
export function patchText(text, runtimeExpression) {
  const before = status(text);
  if (before !== 'unpatched') {
    return {
      status: 'already',
      text,
      summary: before === 'linked' ? 'the runtime is already linked in (--js-library); nothing to do'
        : 'already patched; nothing to do',
    };
  }
  const { dso, insertAt, wraps } = findAnchors(text);
  const snippet = `\n${BEGIN}\nvar pthreadDylink = ${runtimeExpression};\n${installCall({
    version: 'null',
    shape: "'dlsync'",
    dso: Object.fromEntries(Object.entries(dso).map(([k, v]) => [k, String(v)])),
  }, wraps)}\n`;
  // What we add must parse on its own; what we add it to was checked statement by statement.
  acorn.parse(snippet, { ecmaVersion: 'latest', sourceType: 'script' });
  return {
    status: 'patched',
    text: text.slice(0, insertAt) + snippet + text.slice(insertAt),
    summary: `added the runtime after offset ${insertAt}; wraps ${wraps.join(', ')}; dso layout ${JSON.stringify(dso)}`,
  };
}

export function readInput(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Unpatchable(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

// Patch a file in place, atomically (write beside it, then rename). check: report only.
export function patchFile(file, runtimeExpression, { check = false } = {}) {
  const text = readInput(file);
  const result = patchText(text, runtimeExpression);
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
