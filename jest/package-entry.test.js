'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');
const entry = require('..');

test('the package entry points at the library and the CLI, and both exist', () => {
  expect(fs.readFileSync(entry.jsLibrary, 'utf8')).toMatch(/pthreadDylink__postset/);
  expect(entry.linkFlags()).toEqual([`--js-library=${entry.jsLibrary}`]);
  // `flags` prints the same flag the entry gives.
  expect(execFileSync(process.execPath, [entry.cli, 'flags'], { encoding: 'utf8' }).trim()).toBe(entry.linkFlags()[0]);
});
