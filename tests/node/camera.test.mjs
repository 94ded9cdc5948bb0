// Closing the live camera (web/js/camera.js): every scan does it, camera open or not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveCamera } from '../../web/js/camera.js';

// A video element that counts srcObject assignments: each one restarts its load algorithm.
function fakeVideo() {
  let source = null;
  return {
    assignments: 0,
    get srcObject() {
      return source;
    },
    set srcObject(value) {
      this.assignments += 1;
      source = value;
    },
    play: async () => {},
  };
}

test('closing a camera that is not open leaves the video element alone', () => {
  const video = fakeVideo();
  const camera = new LiveCamera(video);
  camera.close();
  camera.close();
  assert.equal(video.assignments, 0);
});

test('closing an open camera stops its tracks and detaches the stream', async () => {
  let stopped = 0;
  const stream = { getTracks: () => [{ stop: () => (stopped += 1) }, { stop: () => (stopped += 1) }] };
  Object.defineProperty(globalThis, 'navigator', { value: { mediaDevices: { getUserMedia: async () => stream } }, configurable: true });
  const video = fakeVideo();
  const camera = new LiveCamera(video);
  await camera.open();
  assert.equal(video.srcObject, stream);
  camera.close();
  assert.equal(stopped, 2);
  assert.equal(video.srcObject, null);
  assert.equal(camera.active, false);
});
