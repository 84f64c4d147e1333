#!/usr/bin/python3
"""Copy-on-write peak across shards during BGSAVE, with the supervisor's
fork gate at max-concurrent-forks 1 and at N (no gate in effect).

Each shard holds KEYS keys; every shard is asked to BGSAVE at once while a
writer rewrites every key of every shard, so a child's copy-on-write grows
to about its shard's size. The script samples INFO persistence
current_cow_size on all shards together and prints the peak of their sum:
with the gate it stays near one shard's data, without it near all of them.

usage: bench/fork_cow.py [SHOAL_BIN] (env: SHARDS [2], KEYS [300000],
VALUE [100] bytes, DELAY [3] rdb-key-save-delay microseconds)
"""

import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from lib.supervisor import Supervisor  # noqa: E402
from lib.util_cluster import key_slot  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else "bin/shoal"
SHARDS = int(os.environ.get("SHARDS", 2))
KEYS = int(os.environ.get("KEYS", 300000))
VALUE = int(os.environ.get("VALUE", 100))
DELAY = os.environ.get("DELAY", "3")


def run(forks):
    work = tempfile.mkdtemp(prefix="shoal-cow.")
    sup = Supervisor(os.path.abspath(BIN), work, shards=SHARDS,
                     extra_args=["--max-concurrent-forks", str(forks),
                                 "--rdb-key-save-delay", DELAY]).start()
    try:
        cs = [sup.client(p) for p in sup.ports]
        # One hash tag per shard, of a slot that shard serves, so the
        # writers' keys are its own.
        owner = {}
        for first, last, node, *_ in cs[0].cluster("SLOTS"):
            owner[node[1]] = (first, last)
        tags = []
        for p in sup.ports:
            a, b = owner[p]
            tags.append(next("t%d" % i for i in range(100000)
                             if a <= key_slot("t%d" % i) <= b))
        for c, t in zip(cs, tags):
            c.execute_command("DEBUG", "POPULATE", KEYS, "{%s}" % t, VALUE)
        used = [c.info("memory")["used_memory"] for c in cs]
        stop = threading.Event()

        def rewrite(c, tag):
            # Overwrite every key, over and over, while the children run.
            pipe = c.pipeline(transaction=False)
            while not stop.is_set():
                for i in range(KEYS):
                    pipe.execute_command("SETRANGE", "{%s}:%d" % (tag, i), 0,
                                         "x")
                    if i % 1000 == 999:
                        pipe.execute()
                        if stop.is_set():
                            return

        writers = [threading.Thread(target=rewrite, args=(c, t))
                   for c, t in zip(cs, tags)]
        for w in writers:
            w.start()
        for c in cs:
            c.bgsave()
        peak, peak_one, start = 0, 0, time.time()
        while time.time() - start < 300:
            infos = [c.info("persistence") for c in cs]
            cow = [i.get("current_cow_size", 0) for i in infos]
            peak = max(peak, sum(cow))
            peak_one = max(peak_one, max(cow))
            if all(i["rdb_saves"] >= 1 for i in infos) and \
                    not any(i["rdb_bgsave_in_progress"] for i in infos):
                break
            time.sleep(0.05)
        stop.set()
        for w in writers:
            w.join()
        last = [c.info("persistence")["rdb_last_cow_size"] for c in cs]
        return used, peak, peak_one, last, time.time() - start
    finally:
        sup.stop(check=False)
        subprocess.run(["rm", "-rf", work])


def mb(x):
    return "%.1f MB" % (x / 1e6)


for forks in (1, SHARDS):
    used, peak, one, last, secs = run(forks)
    print("max-concurrent-forks %d: shard data %s; peak COW of all shards "
          "at once %s (largest single child %s); rdb_last_cow_size %s; "
          "%.1f s" % (forks, " + ".join(mb(u) for u in used), mb(peak),
                      mb(one), ", ".join(mb(x) for x in last), secs))
