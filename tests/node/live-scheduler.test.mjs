// Live mode's timing rules (web/js/live-scheduler.js): newest frame wins, throttled announcements, frame size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnnounceThrottle, NewestFrameWins, liveFrameSize } from '../../web/js/live-scheduler.js';

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('a frame offered while one is in flight is dropped, not queued', async () => {
  const gate = new NewestFrameWins();
  const first = deferred();
  let ran = 0;
  const a = gate.offer(() => {
    ran += 1;
    return first.promise;
  });
  assert.equal(gate.busy, true);
  for (let i = 0; i < 5; i++) {
    assert.equal(await gate.offer(() => (ran += 1)), null);
  }
  assert.equal(ran, 1, 'no dropped frame runs later');
  first.resolve('guess');
  assert.deepEqual(await a, { value: 'guess' });
  assert.equal(gate.busy, false);
  assert.deepEqual(await gate.offer(async () => 'next'), { value: 'next' });
  assert.equal(gate.maxInFlight, 1);
});

test('a failed frame frees the slot and reports its error', async () => {
  const gate = new NewestFrameWins();
  const outcome = await gate.offer(async () => {
    throw new Error('engine');
  });
  assert.equal(outcome.error.message, 'engine');
  assert.equal(gate.busy, false);
});

test('an answer that arrives after stop() is dropped, and the slot stays taken until it arrives', async () => {
  const gate = new NewestFrameWins();
  const late = deferred();
  const pending = gate.offer(() => late.promise);
  gate.stop();
  assert.equal(gate.busy, true, 'a reopened preview must wait for the worker');
  assert.equal(await gate.offer(async () => 'too soon'), null);
  late.resolve('old frame');
  assert.equal(await pending, null);
  assert.deepEqual(await gate.offer(async () => 'fresh'), { value: 'fresh' });
  assert.equal(gate.maxInFlight, 1);
});

test('screen readers hear a guess only when it changes, at most once per interval', () => {
  const throttle = new AnnounceThrottle(3000);
  assert.equal(throttle.take('Tomato: healthy', 0), true);
  assert.equal(throttle.take('Tomato: healthy', 5000), false, 'the same guess again is not news');
  assert.equal(throttle.take('Not sure', 1000), false, 'too soon');
  assert.equal(throttle.take('Not sure', 3000), true);
  assert.equal(throttle.take('Not a leaf', 3100), false);
  throttle.reset();
  assert.equal(throttle.take('Not sure', 3200), true, 'a new session starts afresh');
});

test('a live frame is scaled so its engine crop is twice the model input, aspect kept', () => {
  assert.deepEqual(liveFrameSize(1920, 1080, 128, 128), { width: 455, height: 256 });
  assert.deepEqual(liveFrameSize(1080, 1920, 128, 128), { width: 256, height: 455 });
  assert.deepEqual(liveFrameSize(640, 480, 224, 224, 2), { width: 597, height: 448 });
  assert.deepEqual(liveFrameSize(200, 100, 128, 128), { width: 200, height: 100 }, 'never scaled up');
  assert.equal(liveFrameSize(0, 0, 128, 128), null);
});
