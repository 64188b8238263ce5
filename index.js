'use strict';
// What build systems need from the package, without reading the README.
const path = require('path');

const jsLibrary = path.join(__dirname, 'library_pthread_dylink.js');

module.exports = {
  // emcc ... --js-library=<jsLibrary>
  jsLibrary,
  // The post-link route: node <cli> patch FILE.js (built by `npm run build`).
  cli: path.join(__dirname, 'dist', 'cli.js'),
  // The link flags for the library route, as an argv array.
  linkFlags: () => [`--js-library=${jsLibrary}`],
};
