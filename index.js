'use strict';
// What build systems need from the package, without reading the README.
//   const pd = require('pthread-dylink');   (or: import pd from 'pthread-dylink')
//   pd.linkFlags()                 → ['--js-library=/abs/library_pthread_dylink.js']  (library route)
//   pd.jsTransformFlag()           → '--js-transform=node /abs/dist/cli.js patch'     (patch inside the link)
//   pd.transform().patchFile(f)    → patch a generated .js afterwards (post-link route)
const path = require('path');

const jsLibrary = path.join(__dirname, 'library_pthread_dylink.js');
const cli = path.join(__dirname, 'dist', 'cli.js');

module.exports = {
  jsLibrary,
  cli,
  // The CMake helper: include(<cmakeModule>) then target_link_pthread_dylink(<target>).
  cmakeModule: path.join(__dirname, 'cmake', 'PthreadDylink.cmake'),
  linkFlags: () => [`--js-library=${jsLibrary}`],
  jsTransformFlag: () => require('./dist/transform.js').jsTransformFlag(cli),
  // { patchFile, patchText, checkFile, status, Unpatchable } with the runtime built in.
  transform: () => require('./dist/transform.js'),
};
