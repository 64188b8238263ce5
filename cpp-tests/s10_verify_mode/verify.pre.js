// The verify mode is a main-thread Module option; workers learn it through the shared state.
Module['pthreadDylinkVerify'] = true;
