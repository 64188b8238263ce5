// The one build: bundles src/ into library_pthread_dylink.js (the emscripten glue users link
// with --js-library) and tools/cli.js into dist/cli.js (no node_modules needed at run time).
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { MIN_VERSION, SHAPES, versionNumber } from '../src/versions.js';
import { libraryDeps } from '../src/emscripten-api.js';
import { installCall, libraryMem, LIBRARY_SET_TABLE_ENTRY } from './transform/install-call.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The runtime as one JS expression: `var pthreadDylink = <expression>;` in the output.
export async function buildRuntimeExpression() {
  const bundle = await esbuild.build({
    entryPoints: [path.join(repo, 'src/runtime.js')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__pthreadDylinkRuntime',
    target: 'es2020',
    legalComments: 'none',
  });
  assertEmscriptenReadable(bundle.outputFiles[0].text);
  // An expression emscripten emits as `var pthreadDylink = <expression>;`.
  const iife = bundle.outputFiles[0].text.trim().replace(/;$/, '');
  return `(function () {\n${iife};\nreturn __pthreadDylinkRuntime;\n})()`;
}

export async function buildLibrary() {
  const expression = await buildRuntimeExpression();
  const install = installCall({
    version: "'{{{ EMSCRIPTEN_VERSION }}}'",
    shape: 'null',
    dso: Object.fromEntries(['__size__', 'mem_allocated', 'mem_addr', 'mem_size', 'table_addr', 'table_size']
      .map((f) => [f === '__size__' ? 'size' : f, `{{{ C_STRUCTS.dso.${f} }}}`])),
    mem: libraryMem(),
    setTableEntry: LIBRARY_SET_TABLE_ENTRY,
  });
  const template = fs.readFileSync(path.join(repo, 'tools/library-template.js'), 'utf8');
  return template
    .replace('/*RUNTIME*/', () => JSON.stringify(expression))
    .replace('/*INSTALL_CALL*/', () => JSON.stringify(install))
    .replace('/*DEPS*/', () => JSON.stringify(libraryDeps()))
    .replace('/*VERSION_NUMBER*/', () => versionNumber.toString())
    .replace('/*MIN_VERSION*/', () => JSON.stringify(MIN_VERSION))
    .replace('/*PRE_DLSYNC_REASON*/', () => JSON.stringify(SHAPES['pre-dlsync'].reason.replace(/^this emscripten /, '')));
}

// Emscripten re-indents library code as it emits it (3.1.x adds two spaces to every line), which
// would change any string that spans lines. esbuild prints "\n" inside a template literal as a
// real line break, so such literals must not reach the library.
// What emscripten's own JS tools must be able to read in library code (checked on the bundle):
//  - no template literal spanning lines: emscripten re-indents library code and would change it;
//  - no object rest in a function's parameters (`({ a, ...rest }) =>`): the JSDCE pass of
//    3.1.69 … 4.0.9 (tools/acorn-optimizer.mjs handleFunction) reads each pattern property's key,
//    and a rest element has none: every -sMAIN_MODULE=2 link with the library crashed there.
export function assertEmscriptenReadable(code) {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', locations: true });
  const restInParams = (fn) => {
    for (const param of fn.params) {
      walk.full(param, (node) => {
        if (node.type === 'ObjectPattern' && node.properties.some((p) => p.type === 'RestElement')) {
          throw new Error(`src/: a function's parameters use object rest (bundle line ${node.loc.start.line}); emscripten's ` +
            'JSDCE (3.1.69 … 4.0.9) crashes on it: take the object whole and copy what you need');
        }
      });
    }
  };
  walk.simple(ast, {
    TemplateElement(node) {
      if (node.value.raw.includes('\n')) {
        throw new Error(`src/: a template literal spans lines (bundle line ${node.loc.start.line}); ` +
          'emscripten re-indents library code and would change it: build the string with + instead');
      }
    },
    FunctionDeclaration: restInParams,
    FunctionExpression: restInParams,
    ArrowFunctionExpression: restInParams,
  });
}

async function main(args) {
  const libraryFile = path.join(repo, 'library_pthread_dylink.js');
  const library = await buildLibrary();
  if (args.includes('--check')) {
    // The library is committed so a clone can link with it directly; it must match src/.
    if (!fs.existsSync(libraryFile) || fs.readFileSync(libraryFile, 'utf8') !== library) {
      process.stderr.write('library_pthread_dylink.js is out of date with src/: run `npm run build` and commit it\n');
      process.exit(1);
    }
  } else {
    fs.writeFileSync(libraryFile, library);
  }
  // Both carry the runtime and acorn: they run with no node_modules (inside a build container, or
  // as emcc's --js-transform in a toolchain root).
  const { version } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const runtimeDefine = {
    __PTHREAD_DYLINK_RUNTIME__: JSON.stringify(await buildRuntimeExpression()),
    __PTHREAD_DYLINK_VERSION__: JSON.stringify(version),
  };
  const programs = [
    { entry: 'tools/cli.mjs', outfile: 'dist/cli.js', banner: '#!/usr/bin/env node', define: { __PTHREAD_DYLINK_CLI_ENTRY__: 'true' } },
    { entry: 'tools/api.mjs', outfile: 'dist/transform.js', banner: '', define: {} },
  ];
  for (const { entry, outfile, banner, define } of programs) {
    await esbuild.build({
      entryPoints: [path.join(repo, entry)],
      define: { ...runtimeDefine, ...define },
      format: 'cjs',
      bundle: true,
      platform: 'node',
      target: 'node18',
      outfile: path.join(repo, outfile),
      banner: { js: banner },
      legalComments: 'none',
    });
  }
  fs.chmodSync(path.join(repo, 'dist/cli.js'), 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
}
