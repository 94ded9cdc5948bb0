// Scan history in IndexedDB. A record, as callers give and get it:
//   {id, createdAt (ms), photo: Blob (JPEG, <= 800 px), thumbnail: Blob (JPEG, 160 px square),
//    top: [{label, probability}], unsure: bool, reason, location: {latitude, longitude, accuracy} | null,
//    note: string, model: {name, version, trained}}
// The pictures are stored as bytes, not Blobs (iPhone browsers refuse Blobs in IndexedDB): see
// stored-photo.js. Old records with Blobs are converted when read, so the database version stays 1.
import { decodeRecord, encodeRecord } from './stored-photo.js';

const DB_NAME = 'leafcheck';
const DB_VERSION = 1;
const STORE = 'scans';

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transactionDone(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

export class HistoryStore {
  #db;

  constructor(db) {
    this.#db = db;
  }

  static async open() {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      store.createIndex('createdAt', 'createdAt');
    };
    return new HistoryStore(await promisify(request));
  }

  async #write(work) {
    const transaction = this.#db.transaction(STORE, 'readwrite');
    const result = work(transaction.objectStore(STORE));
    await transactionDone(transaction);
    return result instanceof IDBRequest ? result.result : result;
  }

  // Resolves to the new id. Rejects with QuotaExceededError when the device is full; nothing is lost.
  async add(record) {
    const stored = await encodeRecord(record);
    return this.#write((store) => store.add(stored));
  }

  // Two transactions, because encoding (reading a Blob's bytes) cannot wait inside one. An old record's
  // Blobs are rewritten as bytes here too. A record deleted in between stays deleted.
  async update(id, changes) {
    const record = await this.get(id);
    if (!record) return;
    const stored = await encodeRecord({ ...record, ...changes });
    const transaction = this.#db.transaction(STORE, 'readwrite');
    const store = transaction.objectStore(STORE);
    if (await promisify(store.get(id))) store.put(stored);
    await transactionDone(transaction);
  }

  delete(id) {
    return this.#write((store) => store.delete(id));
  }

  clear() {
    return this.#write((store) => store.clear());
  }

  async get(id) {
    return decodeRecord(await promisify(this.#db.transaction(STORE).objectStore(STORE).get(id)));
  }

  // Newest first.
  async list() {
    const all = await promisify(this.#db.transaction(STORE).objectStore(STORE).index('createdAt').getAll());
    return all.reverse().map(decodeRecord);
  }
}
