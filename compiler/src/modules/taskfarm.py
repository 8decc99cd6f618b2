# taskfarm: ePython's task farm, written for this project from its
# documented behaviour (README, "ePython's modules"). One core, the master,
# runs functions on the other cores of the launch (the workers), which sit
# in worker(). Functions travel between the cores as values: every core
# holds the same program.
#
# The messages, from the master to a worker: the number of arguments (-1:
# stop), the function, then each argument; back: the result. A value goes
# as a count, then the value: a list as its length followed by its items
# (send(v, pid, n)), anything else as 0 followed by the value; a result of
# None as -1 alone. The cores are numbered 0 to numcores() - 1, as in ePython.
import parallel as _parallel
import array as _array

_master = 0
# The workers running a function whose result the master has not taken.
_running = []
# Stands for "no argument" (None is a value a function may be given).
_NO_ARGUMENT = []


def _count(value):
    # Items sent one by one: a list's length, else 0 (the value goes whole).
    # (array's list test: the values a function takes and returns are
    # numbers, bools, None, strs, lists and tuples.)
    if _array._is_list(value):
        return len(value)
    return 0


def initTaskFarm(master):
    # Every core calls this with the same master core.
    global _master, _running
    _master = master
    _running = []


def sendArgument(pid, arg):
    n = _count(arg)
    _parallel.send(n, pid)
    if n > 0:
        _parallel.send(arg, pid, n)
    else:
        _parallel.send(arg, pid)


def recvArgument(pid):
    n = _parallel.recv(pid)
    if n == 0:
        return _parallel.recv(pid)
    return _parallel.recv(pid, n)


def execFunction(pid, fn, a=_NO_ARGUMENT, b=_NO_ARGUMENT, c=_NO_ARGUMENT, d=_NO_ARGUMENT, e=_NO_ARGUMENT):
    # Start fn(a, ...) on worker pid and return at once; a worker runs one
    # function at a time (this waits for its previous one first).
    waitFunctionFinish(pid)
    args = []
    for arg in (a, b, c, d, e):
        if arg is _NO_ARGUMENT:
            break
        args.append(arg)
    _running.append(pid)
    _parallel.send(len(args), pid)
    _parallel.send(fn, pid)
    for arg in args:
        sendArgument(pid, arg)


def testFunctionFinish(pid):
    # Whether worker pid's function has finished (its result is waiting).
    if pid in _running:
        return _parallel.probe(pid)
    return False


def waitFunctionFinish(pid):
    # The result of worker pid's function, once it has finished (None
    # when nothing runs there).
    if pid not in _running:
        return None
    _running.pop(_running.index(pid))
    n = _parallel.recv(pid)
    if n == -1:
        return None
    if n == 0:
        return _parallel.recv(pid)
    return _parallel.recv(pid, n)


def shutdownTaskFarm():
    # Wait for every worker's function, then end their worker() loops.
    for pid in range(_parallel.numcores()):
        if pid != _master:
            waitFunctionFinish(pid)
            _parallel.send(-1, pid)


def worker():
    # A worker core's loop: run the functions the master sends until it
    # says stop.
    n = _parallel.recv(_master)
    while n >= 0:
        fn = _parallel.recv(_master)
        args = [recvArgument(_master) for _ in range(n)]
        if n == 0:
            result = fn()
        elif n == 1:
            result = fn(args[0])
        elif n == 2:
            result = fn(args[0], args[1])
        elif n == 3:
            result = fn(args[0], args[1], args[2])
        elif n == 4:
            result = fn(args[0], args[1], args[2], args[3])
        else:
            result = fn(args[0], args[1], args[2], args[3], args[4])
        if result is None:
            _parallel.send(-1, _master)
        else:
            sendArgument(_master, result)
        n = _parallel.recv(_master)
