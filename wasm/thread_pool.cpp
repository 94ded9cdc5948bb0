#include "thread_pool.h"

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace leafcheck {
namespace {

// A thread that would block first watches for the event a while (32768 atomic loads: tens of
// microseconds, more in WebAssembly than natively): a forward pass posts its steps back to back, so
// the next one usually comes sooner than a thread woken from a futex wait could take it, and the
// caller would then run both halves itself.
constexpr int kSpins = 1 << 15;

template <typename Done>
void spin_until(Done&& done) {
  for (int i = 0; i < kSpins && !done(); ++i) {
  }
}

}  // namespace

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) throw std::invalid_argument("ThreadPool: needs at least 1 thread (the caller)");
  workers_.reserve(threads - 1);
  try {
    for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  } catch (const std::system_error& e) {
    // The destructor does not run for a half-built pool: the started threads must be joined here.
    stop();
    throw std::runtime_error("ThreadPool: could not start thread " + std::to_string(workers_.size() + 1) + " of " +
                             std::to_string(threads) + " (" + e.what() +
                             "); in WebAssembly, pre-start at least threads - 1 workers (leafcheckPoolSize) "
                             "or ask for fewer threads");
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  job_posted_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::run_erased(size_t tasks, Trampoline trampoline, void* context) {
  if (tasks == 0) return;
  if (workers_.empty() || tasks == 1) {
    for (size_t i = 0; i < tasks; ++i) trampoline(context, i);
    return;
  }
  std::unique_lock lock(mutex_);
  trampoline_ = trampoline;
  context_ = context;
  tasks_ = tasks;
  next_task_ = 0;
  unfinished_ = tasks;
  error_ = nullptr;
  ++job_;
  job_posted_.notify_all();
  drain(lock);
  if (unfinished_ != 0) {
    lock.unlock();
    spin_until([this] { return unfinished_.load(std::memory_order_acquire) == 0; });
    lock.lock();
    job_done_.wait(lock, [this] { return unfinished_ == 0; });
  }
  trampoline_ = nullptr;
  context_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::drain(std::unique_lock<std::mutex>& lock) {
  while (next_task_ < tasks_) {
    const size_t task = next_task_++;
    const Trampoline trampoline = trampoline_;
    void* const context = context_;
    lock.unlock();
    std::exception_ptr error;
    try {
      trampoline(context, task);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !error_) error_ = error;
    if (--unfinished_ == 0) job_done_.notify_one();
  }
}

void ThreadPool::work() {
  uint64_t seen = 0;
  std::unique_lock lock(mutex_);
  while (true) {
    if (!stopping_ && job_ == seen) {
      lock.unlock();
      spin_until([&] { return job_.load(std::memory_order_acquire) != seen; });
      lock.lock();
    }
    job_posted_.wait(lock, [&] { return stopping_ || job_ != seen; });
    if (stopping_) return;
    seen = job_;
    drain(lock);
  }
}

}  // namespace leafcheck
