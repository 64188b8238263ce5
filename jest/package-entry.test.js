'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');
const entry = require('..');

test('the package entry points at the library, the CLI and the CMake helper, and they exist', () => {
  expect(fs.readFileSync(entry.jsLibrary, 'utf8')).toMatch(/pthreadDylink__postset/);
  expect(fs.readFileSync(entry.cmakeModule, 'utf8')).toMatch(/function\(target_link_pthread_dylink target\)/);
  expect(entry.linkFlags()).toEqual([`--js-library=${entry.jsLibrary}`]);
  // The CLI prints the same flags the entry gives.
  expect(execFileSync(process.execPath, [entry.cli, 'flags'], { encoding: 'utf8' }).trim()).toBe(entry.linkFlags()[0]);
  expect(execFileSync(process.execPath, [entry.cli, 'flags', '--js-transform'], { encoding: 'utf8' }).trim()).toBe(entry.jsTransformFlag());
  expect(entry.jsTransformFlag()).toBe(`--js-transform=node ${entry.cli} patch`);
});

test('the CLI names its usage on anything else, with exit 2', () => {
  let err;
  try {
    execFileSync(process.execPath, [entry.cli, 'flags', '--bogus'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    err = e;
  }
  expect(err.status).toBe(2);
  expect(err.stderr).toBe('usage: pthread-dylink flags [--js-transform] | patch FILE.js | check FILE.js\n');
});
