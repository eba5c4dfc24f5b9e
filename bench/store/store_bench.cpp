// The store's writer and load, on the SQLite store, on disk (in $TMPDIR, or $CULEX_BENCH_DIR: put it on the
// file system the broker will use, tmpfs makes fsync free). Run from a Release build:
//   build/bench/bench_store --benchmark_filter=Enqueue
//   build/bench/bench_store --benchmark_filter=Load      (writes a 1,000,000-retained store first: ~1 GB
//   free; CULEX_BENCH_KEEP_STORE=PATH keeps a copy of it there, for bench/store/restart_time.py)
// Enqueue: one loop submits QoS 1 messages of 64 bytes for an offline session, one batch per message as the
// broker would; ops_per_commit is what group commit gathered (in fsync mode: operations per fsync).
#include <benchmark/benchmark.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "store/sqlite_store.hpp"
#include "store/writer.hpp"

namespace {

using namespace culex::store;
namespace fs = std::filesystem;

fs::path bench_dir(const std::string& name) {
    const char* base = std::getenv("CULEX_BENCH_DIR");
    fs::path dir = fs::path(base ? base : fs::temp_directory_path().string()) /
                   ("culex-store-bench-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

double max_rss_mb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

QueuedMessage message(std::uint64_t sequence) {
    return {"offline-subscriber",
            sequence,
            "bench/topic/0001",
            culex::protocol::Payload(std::string(64, 'm')),
            culex::protocol::QoS::at_least_once,
            false,
            "",
            std::nullopt,
            ""};
}

void Enqueue(benchmark::State& state, SyncMode sync) {
    auto dir = bench_dir(sync == SyncMode::fsync ? "fsync" : "os");
    auto store = SqliteStore::open({dir / "culex.db", sync});
    if (!store) {
        state.SkipWithError(store.error().message.c_str());
        return;
    }
    std::mutex mutex;
    std::condition_variable relief;
    std::uint64_t completed = 0;
    Writer::Options options;
    options.on_relief = [&] { relief.notify_all(); };
    Writer writer(**store, options);

    std::uint64_t sequence = 0;
    auto done = [&](const std::expected<void, StoreError>&) {
        std::lock_guard lock(mutex);
        ++completed;
        relief.notify_all();
    };
    for (auto _ : state) {
        Batch batch;
        batch.enqueue(message(++sequence));
        // Refused while the budget is spent: wait for the relief, as a loop would stop reading its sockets.
        while (!writer.submit(std::move(batch), done)) {
            std::unique_lock lock(mutex);
            relief.wait_for(lock, std::chrono::milliseconds(50), [&] { return !writer.backpressure(); });
        }
    }
    writer.stop();  // drains: the time includes committing the last message
    auto counters = writer.counters();
    state.SetItemsProcessed(static_cast<std::int64_t>(counters.operations));
    state.counters["commits"] = static_cast<double>(counters.commits);
    state.counters["ops_per_commit"] =
        counters.commits ? static_cast<double>(counters.operations) / static_cast<double>(counters.commits)
                         : 0;
    state.counters["refused"] = static_cast<double>(counters.refused);
    state.counters["max_rss_MB"] = max_rss_mb();
    store->reset();
    fs::remove_all(dir);
}
BENCHMARK_CAPTURE(Enqueue, os, SyncMode::os)
    ->Iterations(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(Enqueue, fsync, SyncMode::fsync)
    ->Iterations(300'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A session back after 1,000,000 messages of 64 bytes were queued for it: paged in, in order, 1000 a page.
void ReadQueue(benchmark::State& state) {
    constexpr std::uint64_t kQueued = 1'000'000;
    auto dir = bench_dir("read-queue");
    auto store = SqliteStore::open({dir / "culex.db", SyncMode::os});
    if (!store) {
        state.SkipWithError(store.error().message.c_str());
        return;
    }
    Batch batch;
    for (std::uint64_t s = 1; s <= kQueued; ++s) {
        batch.enqueue(message(s));
        if (batch.size() == 50'000) {
            (void)(*store)->commit(batch);
            batch = Batch();
        }
    }
    for (auto _ : state) {
        std::uint64_t after = 0, read = 0;
        bool in_order = true;
        while (true) {
            auto page = (*store)->read_queue({"offline-subscriber", after, 1000, 1 << 20});
            if (!page) {
                state.SkipWithError(page.error().message.c_str());
                return;
            }
            for (const auto& m : page->messages)
                in_order = in_order && m.sequence == ++read;
            after = page->last_sequence;
            if (!page->more) break;
        }
        if (read != kQueued || !in_order) state.SkipWithError("queue not read back whole and in order");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kQueued));
    state.counters["max_rss_MB"] = max_rss_mb();
    store->reset();
    fs::remove_all(dir);
}
BENCHMARK(ReadQueue)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// As a QoS 1 publisher with a window of W messages in flight sees it: each message waits for its completion
// (the PUBACK) before the window lets another one go. Latency-bound, the worst case for group commit.
void EnqueueWindow(benchmark::State& state, SyncMode sync) {
    const auto window = static_cast<std::uint64_t>(state.range(0));
    auto dir = bench_dir(sync == SyncMode::fsync ? "window-fsync" : "window-os");
    auto store = SqliteStore::open({dir / "culex.db", sync});
    if (!store) {
        state.SkipWithError(store.error().message.c_str());
        return;
    }
    std::mutex mutex;
    std::condition_variable acked;
    std::uint64_t completed = 0;
    Writer writer(**store, {});
    std::uint64_t sequence = 0;
    for (auto _ : state) {
        {
            std::unique_lock lock(mutex);
            acked.wait(lock, [&] { return sequence - completed < window; });
        }
        Batch batch;
        batch.enqueue(message(++sequence));
        bool taken = writer.submit(std::move(batch), [&](const std::expected<void, StoreError>&) {
            std::lock_guard lock(mutex);
            ++completed;
            acked.notify_all();
        });
        if (!taken) state.SkipWithError("refused");
    }
    writer.stop();
    auto counters = writer.counters();
    state.SetItemsProcessed(static_cast<std::int64_t>(counters.operations));
    state.counters["ops_per_commit"] =
        counters.commits ? static_cast<double>(counters.operations) / static_cast<double>(counters.commits)
                         : 0;
    store->reset();
    fs::remove_all(dir);
}
BENCHMARK_CAPTURE(EnqueueWindow, os, SyncMode::os)
    ->Arg(1)
    ->Iterations(20'000)
    ->Arg(20)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(EnqueueWindow, fsync, SyncMode::fsync)
    ->Arg(1)
    ->Arg(20)
    ->Arg(1000)
    ->Iterations(20'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// open() + load() of a store holding 1,000,000 retained messages of 64 bytes and 100,000 persistent sessions
// (each with one subscription): the restart target is serving in under 10 s.
void Load(benchmark::State& state) {
    constexpr int kRetained = 1'000'000;
    constexpr int kSessions = 100'000;
    auto dir = bench_dir("load");
    auto path = dir / "culex.db";
    {
        auto store = SqliteStore::open({path, SyncMode::os});
        if (!store) {
            state.SkipWithError(store.error().message.c_str());
            return;
        }
        Batch batch;
        auto flush = [&] {
            (void)(*store)->commit(batch);
            batch = Batch();
        };
        for (int i = 0; i < kRetained; ++i) {
            batch.put_retained({"sensors/" + std::to_string(i / 1000) + "/" + std::to_string(i),
                                culex::protocol::Payload(std::string(64, 'r')),
                                culex::protocol::QoS::at_least_once, "", std::nullopt});
            if (batch.size() == 50'000) flush();
        }
        for (int i = 0; i < kSessions; ++i) {
            std::string id = "device-" + std::to_string(i);
            batch.put_session({id, culex::protocol::ProtocolVersion::v5, 86400, std::nullopt, 0, "devices"});
            batch.add_subscription({id, "commands/" + id, "", culex::protocol::QoS::at_least_once, false,
                                    false, 0, std::nullopt});
            if (batch.size() >= 50'000) flush();
        }
        flush();
    }
    state.counters["file_MB"] = static_cast<double>(fs::file_size(path)) / 1e6;
    if (const char* keep = std::getenv("CULEX_BENCH_KEEP_STORE"))
        fs::copy_file(path, keep, fs::copy_options::overwrite_existing);
    for (auto _ : state) {
        auto start = std::chrono::steady_clock::now();
        auto store = SqliteStore::open({path, SyncMode::os});
        // open() is mostly PRAGMA quick_check, which reads the whole file.
        state.counters["open_s"] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        auto loaded = store ? (*store)->load() : std::unexpected(store.error());
        if (!loaded) {
            state.SkipWithError(loaded.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(loaded->retained.data());
        state.counters["retained"] = static_cast<double>(loaded->retained.size());
        state.counters["sessions"] = static_cast<double>(loaded->sessions.size());
    }
    fs::remove_all(dir);
}
BENCHMARK(Load)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
