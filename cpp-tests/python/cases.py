# The real-Python cases (jest/python.test.js runs each in its own python.js process):
#   python.js cases.py EXT_DIR CASE
# Every check prints a PDCHECK line and a complete run ends with PDRESULT, as the C scenarios' harness
# (cpp-tests/harness/pd_check.h) does, so tools/conformance.js judges both the same way. A wait the
# case bounds itself (a thread join) that runs out is reported as a hang.
import json
import sys
import threading

ext_dir, case = sys.argv[1], sys.argv[2]
sys.path.insert(0, ext_dir)
failed = []
JOIN_SECONDS = 20


def check(name, got, want, slot=None):
    # slot: the function pointer the check called through, where there is one.
    print('PDCHECK ' + json.dumps({'check': name, 'thread': threading.current_thread().name, 'slot': slot,
                                   'expected': repr(want), 'actual': repr(got)}), flush=True)
    if got != want:
        failed.append(name)


def kernel(which, i):
    return [(i * 7919) % 1009 + 3, (i * 104729) % 997 + 5, i + 11][which]


def check_hooks(pdhooks):
    # The interpreter thread's own callbacks still answer at their slots (stock may load a module
    # over them when it catches up on another thread's dlopen).
    check('hooks added entries', pdhooks.added(), (3, 2))
    check('the interpreter thread\'s callbacks at their slots', pdhooks.call_added(1), [2001, 2001], list(pdhooks.slots()))


def run_threads(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_SECONDS)
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        print('PDCHECK ' + json.dumps({'check': 'join', 'thread': 'MainThread', 'expected': 'joined', 'actual': 'running',
                                       'error': f'{", ".join(stuck)} still running after {JOIN_SECONDS} s (hang)'}), flush=True)
        print('PDRESULT fail', flush=True)
        import os
        os._exit(3)


def case_pool():
    # The seed workload: a thread pool in one extension, the host's hooks add table entries, then
    # a task extension is imported and thousands of parallel_fors run its kernels on the pool.
    import pdpool
    check('pool threads ready', pdpool.start(3, False), 3)
    import pdhooks
    import pdtasks
    for which in range(3):
        fn = pdtasks.kernel(which)
        check(f'kernel {which} on the interpreter thread', pdtasks.call(fn, 5), kernel(which, 5), fn)
        n, rounds = 64, 1000
        want = sum(kernel(which, i + r) for r in range(rounds) for i in range(n))
        check(f'kernel {which}: {rounds} parallel_fors on the pool', pdpool.run(fn, n, rounds), want, fn)
    check('pool threads ran iterations', pdpool.worker_share() > 0, True)
    check_hooks(pdhooks)


def case_threads():
    # threading.Threads call a C function that calls a pointer the interpreter thread got.
    import pdhooks
    import pdtasks
    fns = [pdtasks.kernel(which) for which in range(3)]
    results = {}

    def work(k):
        results[k] = [pdtasks.call(fns[x % 3], x) for x in range(k * 50, k * 50 + 50)]

    run_threads([threading.Thread(target=work, args=(k,), name=f'worker-{k}') for k in range(4)])
    for k in range(4):
        check(f'thread worker-{k} calls', results.get(k), [kernel(x % 3, x) for x in range(k * 50, k * 50 + 50)])
    check_hooks(pdhooks)


def case_import_in_thread():
    # A thread imports an extension and takes pointers; the interpreter thread then calls them.
    import pdhooks
    got = {}

    def loader():
        import pdlate
        got['fns'] = [pdlate.kernel(which) for which in range(3)]
        got['there'] = [pdlate.call(fn, 9) for fn in got['fns']]

    run_threads([threading.Thread(target=loader, name='importer')])
    import pdlate
    check('importing thread calls', got.get('there'), [kernel(which, 9) for which in range(3)])
    check('interpreter thread calls the importer\'s pointers', [pdlate.call(fn, 9) for fn in got['fns']],
          [kernel(which, 9) for which in range(3)])
    check_hooks(pdhooks)


CASES = {'pool': case_pool, 'threads': case_threads, 'import-in-thread': case_import_in_thread}
CASES[case]()
print('PDRESULT ' + ('fail' if failed else 'pass'), flush=True)
