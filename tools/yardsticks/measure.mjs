// leafcheck-bench's protocol (warm-up runs, then timed runs; nearest-rank p50/p99), for the yardsticks in
// node (protocol.mjs) and in the browser (browser-bench.mjs): no node imports.

// runOnce: async () => logits (Float32Array). Returns the figures leafcheck-bench reports.
export async function measure(runOnce, { warmup, runs }) {
  for (let i = 0; i < warmup; i++) await runOnce();
  const ms = [];
  let logits;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    logits = await runOnce();
    ms.push(performance.now() - start);
  }
  const mean = ms.reduce((a, b) => a + b, 0) / runs;
  ms.sort((a, b) => a - b);
  const percentile = (p) => ms[Math.min(Math.max(Math.ceil((p / 100) * runs), 1), runs) - 1];
  return { warmup, runs, mean_ms: mean, min_ms: ms[0], p50_ms: percentile(50), p99_ms: percentile(99), logits: Array.from(logits) };
}
