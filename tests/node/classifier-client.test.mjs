// The page's side of the inference worker (web/js/classifier-client.js), against a stand-in Worker
// that records what is posted and answers when told to.
import assert from 'node:assert/strict';
import { test } from 'node:test';

class FakeWorker {
  static last = null;
  posted = [];
  #listeners = {};

  constructor() {
    FakeWorker.last = this;
  }

  addEventListener(type, listener) {
    this.#listeners[type] = listener;
  }

  postMessage(message) {
    this.posted.push(message);
  }

  answer(id, result) {
    this.#listeners.message({ data: { id, ok: true, result } });
  }

  fail(id, error) {
    this.#listeners.message({ data: { id, ok: false, error } });
  }
}
globalThis.Worker = FakeWorker;
const { ClassifierClient } = await import('../../web/js/classifier-client.js');
const buildInfo = { engines: {}, model: { url: 'model.lcm' } };

test('before the engine is up, a photo waits for it; afterwards it is posted in the same task', async () => {
  const client = new ClassifierClient();
  const worker = FakeWorker.last;
  const started = client.start(buildInfo);
  const early = client.classifyPicture('first photo');
  await Promise.resolve();
  assert.deepEqual(worker.posted.map(({ type }) => type), ['init'], 'no photo before the engine answers');
  worker.answer(worker.posted[0].id, { engine: 'simd' });
  await started;
  await new Promise((resolve) => setTimeout(resolve));
  assert.deepEqual(worker.posted.map(({ type }) => type), ['init', 'classify-picture']);

  const later = client.classifyPicture('second photo');
  // Synchronously, before the caller goes on to change the page: the worker starts decoding at once.
  assert.equal(worker.posted.at(-1).picture, 'second photo');
  worker.answer(worker.posted[1].id, 'first answer');
  worker.answer(worker.posted[2].id, 'second answer');
  assert.equal(await early, 'first answer');
  assert.equal(await later, 'second answer');
});

test('after a failed start nothing is posted at once, and the next start asks the worker again', async () => {
  const client = new ClassifierClient();
  const worker = FakeWorker.last;
  const started = client.start(buildInfo);
  worker.fail(worker.posted[0].id, { name: 'ModelError', message: 'truncated model' });
  await assert.rejects(started, { name: 'ModelError', message: 'truncated model' });
  await Promise.resolve();
  client.classifyPicture('photo').catch(() => {});
  assert.deepEqual(worker.posted.map(({ type }) => type), ['init']);
  client.start(buildInfo);
  assert.deepEqual(worker.posted.map(({ type }) => type).slice(0, 2), ['init', 'init']);
});
