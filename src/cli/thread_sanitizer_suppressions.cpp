// What ThreadSanitizer is told to leave alone; compiled into the TSan build only (`make build-tsan`), where
// the TSan runtime asks the binary for it at start.
//
// libnats takes two of its own mutexes in one order while a node joins and in the other while it stops (both
// on the main thread), which TSan reports as a lock-order inversion. The order is libnats's, inside libnats,
// whatever culex does; TSan sees it only since a node asks libnats not to spin on its locks (`nats_Open(0)`,
// cluster/nats_connection.cpp): a lock taken while spinning is a pthread_mutex_trylock, which TSan does not
// put in its lock-order graph. Only lock-order reports with a libnats lock in them are left alone: data races
// in and around libnats's threads are still reported.
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
    return "deadlock:natsMutex_Lock\n";
}
#endif
