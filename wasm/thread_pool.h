// A fixed set of threads that runs numbered tasks for one caller at a time: the convolutions split
// their output rows across it (network.cpp). The calling thread works too, so a pool of N threads
// starts N - 1; a pool of 1 starts none and runs every task inline (the single-thread builds).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace leafcheck {

// The part of `rows` output rows that task `part` of `parts` computes: contiguous, sizes differing by
// at most one, so the threads finish together.
struct RowRange {
  size_t first;
  size_t count;
};
inline RowRange row_range(size_t rows, size_t parts, size_t part) {
  const size_t base = rows / parts, extra = rows % parts;
  return {part * base + (part < extra ? part : extra), base + (part < extra ? 1 : 0)};
}

class ThreadPool {
 public:
  // threads >= 1, the caller included. Throws std::invalid_argument for 0 and std::runtime_error when
  // the platform cannot start a thread (in WebAssembly: fewer pre-started workers than threads - 1).
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size() + 1; }

  // Calls task(i) once for every i in [0, tasks), spread over the pool and the calling thread, and
  // returns when all have finished; rethrows the first exception a task threw. Allocates nothing,
  // so Network::forward stays allocation-free. Not reentrant: one run() at a time.
  template <typename Task>
  void run(size_t tasks, Task&& task) {
    using Fn = std::remove_reference_t<Task>;
    run_erased(tasks, [](void* context, size_t i) { (*static_cast<Fn*>(context))(i); },
               const_cast<void*>(static_cast<const void*>(&task)));
  }

 private:
  using Trampoline = void (*)(void*, size_t);

  void run_erased(size_t tasks, Trampoline trampoline, void* context);
  void work();
  // Runs unclaimed tasks of the current job until none are left; `lock` holds mutex_ on entry and exit.
  void drain(std::unique_lock<std::mutex>& lock);
  void stop();

  std::mutex mutex_;
  std::condition_variable job_posted_;
  std::condition_variable job_done_;
  Trampoline trampoline_ = nullptr;
  void* context_ = nullptr;
  size_t tasks_ = 0;
  size_t next_task_ = 0;
  // Written under mutex_; atomic so that a spinning thread can watch them without it.
  std::atomic<size_t> unfinished_ = 0;
  std::atomic<uint64_t> job_ = 0;  // counts posted jobs, so a worker tells a new job from a spurious wake-up
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
};

// Runs a step computed row by row (a convolution, a max-pool, the input's quantization) as up to
// pool.size() tasks over ranges of `out`'s rows: step(in rows, out rows, part), where the input rows are
// those under the output rows (rows_per_output_row of them each: 2 where a max-pool halves the height).
// The planes: anything with `height` and `rows(first, count)`.
template <typename InPlane, typename OutPlane, typename Step>
void run_split_rows(ThreadPool& pool, const InPlane& in, const OutPlane& out, size_t rows_per_output_row,
                    Step&& step) {
  const size_t parts = pool.size() < out.height ? pool.size() : out.height;
  pool.run(parts, [&](size_t part) {
    const RowRange r = row_range(out.height, parts, part);
    step(in.rows(r.first * rows_per_output_row, r.count * rows_per_output_row), out.rows(r.first, r.count), part);
  });
}

}  // namespace leafcheck
