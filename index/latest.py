"""The profiles of an index's newest generation, kept in memory and refreshed after commits.

What this process committed is read at once: an edit is seen by the next request. What another
process committed (a sync, `jitlearn ingest`) is read beside the profiles in use, in a thread
of its own, and served when ready: the request that noticed the new generation waits up to
REFRESH_WAIT s for it (a small library is ready by then), every other request goes on with the
generation it has. A large library takes seconds to read (the reference corpus about 6 s, with
its word space refitted), and a sync commits every 1,000 documents: waiting each time had every
request stall behind every commit.
"""

import ctypes
import logging
import threading
import time

from .profiles import Profiles

log = logging.getLogger(__name__)

REFRESH_WAIT = 0.5  # s: what the request that noticed a new generation waits for it
RETRY_AFTER = 30.0  # s: a generation that could not be read is tried again after this


class Latest:
    """The newest generation's profiles for one open index (Whoosh's `ix`)."""

    def __init__(self, ix, analyze):
        self.ix, self.analyze = ix, analyze
        self.current: tuple[int, Profiles] | None = None  # (generation, its profiles)
        self._lock = threading.Lock()  # one reading at a time
        self._refresh: threading.Thread | None = None  # reading another process's commit
        self._refresh_lock = threading.Lock()
        self._wrote = -1  # the last generation committed through this object
        self._failed = (-1, 0.0)  # the generation that could not be read, and when

    def wrote(self) -> None:
        """This process committed: the next request reads the new generation itself."""
        self._wrote = self.ix.latest_generation()

    def profiles(self) -> Profiles:
        """Checks the generation from the table of contents, not through a searcher: the hot
        path holds no Whoosh searcher, so serving threads do not each map the index."""
        generation = self.ix.latest_generation()
        cached = self.current
        if cached is not None and cached[0] == generation:
            return cached[1]
        if cached is None or cached[0] < self._wrote:
            return self._read(generation)
        failed, when = self._failed
        if failed == generation and time.monotonic() - when < RETRY_AFTER:
            return cached[1]  # not a new error per request
        with self._refresh_lock:
            started = self._refresh is None or not self._refresh.is_alive()
            if started:
                self._refresh = threading.Thread(target=self._read, args=(generation, True),
                                                 name="profiles", daemon=True)
                self._refresh.start()
            worker = self._refresh
        if started:
            worker.join(REFRESH_WAIT)
        return (self.current or cached)[1]

    def _read(self, generation: int, background: bool = False) -> Profiles | None:
        """Read the newest generation, unless another thread has read `generation`
        meanwhile (never `<`: an index made again from nothing starts its count again)."""
        try:
            with self._lock:
                if self.current is None or self.current[0] != generation:
                    with self.ix.searcher() as s:
                        read = s.reader().generation()  # None for an empty index
                        docnums = list(s.reader().all_doc_ids())
                        profiles = Profiles((s.stored_fields(d) for d in docnums),
                                            self.analyze)
                        # where each document sits among the profiles: a search's hits map
                        # to them without reading stored fields again (ContentIndex.browse)
                        profiles.memo["positions"] = (read, {d: i for i, d in
                                                             enumerate(docnums)})
                        self.current = (generation if read is None else read, profiles)
                    give_back_free_memory()
                return self.current[1]
        except Exception:
            if not background:
                raise
            # the generation in use goes on serving; a request tries again after a while
            self._failed = (generation, time.monotonic())
            log.exception("the index's newest generation could not be read; the one before "
                          "goes on serving, another try in %g s", RETRY_AFTER)
            return None


def give_back_free_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim). Building profiles
    parses every stored document; without this the ~120 MB those objects took on the reference
    corpus stay in the process's resident size after they are freed. Elsewhere: nothing."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
