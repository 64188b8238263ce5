// The verify mode is a main-thread Module option; workers learn it through the shared state.
// The plugin reads pthreadDylinkVerify; emscripten with the upstream patch (upstream/) reads
// dylinkCheckTables (and checks always under ASSERTIONS).
Module['pthreadDylinkVerify'] = true;
Module['dylinkCheckTables'] = true;
