#!/usr/bin/env node
'use strict';
// The browser demo (examples/browser-demo): builds demo.c with stock emscripten and with the
// plugin, and lays the two builds out under build/demo/<toolchain>/ beside index.html.
//
//   npm run demo                       build for 6.0.5 and serve it on 127.0.0.1 until Ctrl-C
//   npm run demo -- --toolchain 3.1.69 --port 8080
//
// jest/browser.test.js uses buildDemo/pressDemo: one press, both tables checked, a screenshot.
const fs = require('fs');
const path = require('path');
const c = require('./conformance');

const SRC = path.join(c.REPO, 'examples', 'browser-demo');
const OUT = path.join(c.REPO, 'build', 'demo');
const LIBRARY = path.join(c.REPO, 'library_pthread_dylink.js');
// Shows the bug on 3.1.69 as well (--toolchain 3.1.69): its pointers come from dlsym, not from
// the module's own table region.
const DEFAULT_TOOLCHAIN = '6.0.5';
const BUILDS = {
  stock: { heading: 'stock emscripten', flags: [] },
  plugin: { heading: 'with pthread-dylink', flags: [`--js-library=${LIBRARY}`] },
};

async function buildDemo(toolchain = DEFAULT_TOOLCHAIN) {
  const dir = path.join(OUT, toolchain);
  const common = ['-O2', '-pthread'];
  const sources = ['demo.c', 'demo_animals.c', 'frame.html'].map((f) => path.join(SRC, f));
  for (const [mode, build] of Object.entries(BUILDS)) {
    const out = path.join(dir, mode);
    const key = c.hashFiles([...sources, ...(mode === 'plugin' ? [LIBRARY] : [])], { toolchain, mode });
    await c.buildOnce(out, key, async () => {
      await c.emcc(toolchain, [...common, '-sSIDE_MODULE=1', path.join(SRC, 'demo_animals.c'), '-o', 'demo_animals.so'], out);
      // --preload-file: the usual way a web build ships a module it will dlopen (fetched as a
      // .data package, and the wasm precompiled before main); workers fetch the .so by URL.
      await c.emcc(toolchain, [
        ...common, path.join(SRC, 'demo.c'), '-sMAIN_MODULE=1', '-sALLOW_TABLE_GROWTH', '-sPTHREAD_POOL_SIZE=1',
        '-sENVIRONMENT=web,worker', '-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=$addFunction', '--preload-file', 'demo_animals.so',
        ...build.flags, '-o', 'main.js',
      ], out);
      const frame = fs.readFileSync(path.join(SRC, 'frame.html'), 'utf8')
        .replace('/*BUILD*/{}', JSON.stringify({ heading: build.heading, detail: `emscripten ${toolchain}, -O2, PTHREAD_POOL_SIZE=1` }));
      fs.writeFileSync(path.join(out, 'index.html'), frame);
    });
  }
  fs.copyFileSync(path.join(SRC, 'index.html'), path.join(dir, 'index.html'));
  return dir;
}

// Opens the demo, presses its button once as a person would, and returns both frames' rows
// ({ stock: [...], plugin: [...] }, each row { name, slot, main, pthread }). With `screenshot`,
// saves the page as it looks after the press.
async function pressDemo({ browser, server, dir, screenshot, timeoutMs = 60000 }) {
  const context = await browser.newContext({ viewport: { width: 1240, height: 560 } });
  try {
    const page = await context.newPage();
    await page.goto(server.urlFor(path.join(dir, 'index.html')));
    const button = page.locator('#run');
    await button.waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: timeoutMs });
    await button.click();
    const results = {};
    for (const mode of Object.keys(BUILDS)) {
      const handle = await page.waitForFunction((id) => {
        const demo = document.getElementById(id).contentWindow.demo;
        return demo && (demo.result || demo.error) && { result: demo.result, error: demo.error };
      }, mode, { timeout: timeoutMs });
      const { result, error } = await handle.jsonValue();
      if (error) throw new Error(`demo (${mode}): ${error}`);
      results[mode] = result;
    }
    if (screenshot) {
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    return results;
  } finally {
    await context.close();
  }
}

async function main(argv) {
  const opt = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
  const toolchain = opt('--toolchain', DEFAULT_TOOLCHAIN);
  const dir = await buildDemo(toolchain);
  const browser = require('./browser');
  const server = await browser.startServer(path.join(c.REPO, 'build'), { port: Number(opt('--port', 0)) });
  process.stdout.write(`demo for emscripten ${toolchain}: ${server.urlFor(path.join(dir, 'index.html'))}\n(Ctrl-C to stop)\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`demo: ${e.message}\n`);
    process.exit(1);
  });
}

module.exports = { DEFAULT_TOOLCHAIN, buildDemo, pressDemo };
