// Leafcheck page: wires the scan inputs, the inference worker, the result, history and settings.
import buildInfo from './build-info.js';
import { LiveCamera, grabFrame } from './camera.js';
import { givenCrop } from './crop-choice.js';
import { effectiveCrop, showCropChoice } from './crop-view.js';
import { ClassifierClient } from './classifier-client.js';
import { $ } from './dom.js';
import { cameraErrorKey, isQuotaError, scanErrorKey } from './errors.js';
import { HistoryStore } from './history-store.js';
import { downloadHistoryCsv, showHistory } from './history-view.js';
import { LANGUAGES, Translations, preferredLanguage } from './i18n.js';
import { InstallOffer } from './install.js';
import { LiveView } from './live-view.js';
import { askLocationPermission, scanPosition } from './location.js';
import { OfflineSupport } from './offline.js';
import { acceptDroppedPhotos, acceptPastedPhotos } from './photo-drop.js';
import { showResult, showResultPhoto } from './result-view.js';
import { loadSettings, saveSettings } from './settings-store.js';
import { modelIsTrained, showOfflineState, showSettings, showStorage } from './settings-view.js';
import { canShare, shareRecord } from './share.js';
import { takeSharedPhoto } from './share-target.js';
import { STORED_TOP_K, judge } from './verdict.js';

// Larger files are refused before reading them: no phone photo comes near this.
const MAX_FILE_BYTES = 64 * 1024 * 1024;

const settings = loadSettings();
const client = new ClassifierClient();
const offline = new OfflineSupport();
const camera = new LiveCamera($('live-video'));
let tr = await Translations.load(preferredLanguage(settings.language));
const live = new LiveView({
  video: $('live-video'),
  guess: $('live-guess'),
  title: $('live-guess-title'),
  percent: $('live-guess-percent'),
  announce: $('live-announce'),
  client,
  translations: () => tr,
  crop: () => scanCrop(),
});
let engine = null;
let engineError = null;
let engineReady = null;
let history = null;
let currentScan = null;

function showError(target, key, values) {
  target.textContent = tr.t(key, values);
  target.hidden = false;
}

function setStatus(text) {
  $('scan-status').textContent = text;
}

// ---- engine -------------------------------------------------------------------------------------

function startEngine() {
  engineReady = client.start(buildInfo).then(
    (info) => {
      engine = info;
      engineError = null;
      if (info.modelRepaired) setStatus(tr.t('modelRepaired'));
      $('untrained-banner').hidden = modelIsTrained(engine);
      renderCropChoice();
      renderSettings();
      return info;
    },
    (error) => {
      engineError = error;
      renderSettings();
      throw error;
    },
  );
  engineReady.catch(() => {});
  return engineReady;
}

// ---- scanning -----------------------------------------------------------------------------------

function scanCrop() {
  return effectiveCrop(settings.crop, engine?.labels);
}

function renderCropChoice() {
  showCropChoice(tr, engine?.labels ?? [], settings.crop);
}

function beginScan() {
  closeCamera();
  performance.clearMarks('leafcheck:scan-start');
  performance.mark('leafcheck:scan-start');
  $('scan-error').hidden = true;
  $('result').hidden = true;
  $('scan-start').hidden = false;
  setStatus(tr.t(engine ? 'analysing' : 'preparingEngine'));
}

function failScan(error) {
  setStatus('');
  const key = isQuotaError(error) ? 'errorStorageFull' : scanErrorKey(error);
  showError($('scan-error'), key);
  console.warn('Leafcheck scan failed:', error);
}

// Why a file is not even read (an ImageError, as the engine would name it), or null.
function refusal(file) {
  if (file.size === 0) return Object.assign(new Error('empty file'), { name: 'ImageError' });
  if (file.size > MAX_FILE_BYTES) return Object.assign(new Error('file too large'), { name: 'ImageError' });
  return null;
}

// `send` asks the worker for a classification. With the engine up it is asked at once, before
// beginScan's page changes, so that the worker decodes while the page lays itself out; otherwise
// after the engine has started. Returns a function that resolves to the classification.
function requestClassification(send) {
  if (engine && !engineError) {
    const classification = send();
    return () => classification;
  }
  return async () => {
    if (!engineReady || engineError) startEngine();
    await engineReady;
    setStatus(tr.t('analysing'));
    return send();
  };
}

async function runScan(classification, source) {
  const position = scanPosition(settings.saveLocation);
  try {
    await finishScan(await classification(), source, position);
  } catch (error) {
    failScan(error);
  }
}

async function scanFile(file) {
  const refused = file && refusal(file);
  const classification = file && !refused ? requestClassification(() => client.classifyPicture(file)) : null;
  beginScan();
  if (refused) failScan(refused);
  if (classification) await runScan(classification, file);
}

// The page was opened by a photo shared from another app (web/js/share-target.js).
async function scanSharedPhoto() {
  let shared;
  try {
    shared = await takeSharedPhoto();
  } catch (error) {
    console.warn('Leafcheck could not read the shared photo:', error);
    shared = { error: 'error' };
  }
  if (!shared) return;
  if (shared.file) scanFile(shared.file);
  else showError($('scan-error'), shared.error === 'none' ? 'errorSharedNoPhoto' : 'errorSharedReceive');
}

async function scanCameraFrame() {
  let frame;
  try {
    frame = grabFrame($('live-video'));
  } catch (error) {
    failScan(error);
    return;
  }
  const classification = requestClassification(() => client.classifyRgba(frame));
  beginScan();
  await runScan(classification, frame);
}

// The frame after the current one has been painted.
function afterNextPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}

// The verdict is painted first; then the worker encodes the stored photo and thumbnail, and the result
// shows that photo. Showing the scanned file itself would make the browser decode a 12 MP photo on the
// way to the first paint. `source`: that file, or a camera frame's ImageData. `engineAnswer` ranks every
// class; the crop chosen on the scan view narrows it to that crop's (crop-choice.js).
async function finishScan(engineAnswer, source, locationPromise) {
  const crop = scanCrop();
  const classification = givenCrop(engineAnswer, crop);
  const verdict = judge(classification);
  const record = {
    createdAt: Date.now(),
    photo: null,
    thumbnail: null,
    top: classification.top.slice(0, STORED_TOP_K).map(({ label, probability }) => ({ label, probability })),
    crop,
    unsure: verdict.unsure,
    reason: verdict.reason,
    location: null,
    note: '',
    model: { name: engine.metadata.name ?? '', version: engine.metadata.version ?? '', trained: modelIsTrained(engine) },
  };
  currentScan = { record, id: null, timings: classification.timings };
  setStatus('');
  renderResult();
  performance.clearMeasures('leafcheck:scan');
  // The engine's own figures ride along for benchmarks (tools/tap-to-result.mjs).
  performance.measure('leafcheck:scan', { start: 'leafcheck:scan-start', detail: { ...classification.timings, decoder: classification.decoder } });
  $('result').focus();
  const scan = currentScan;
  await afterNextPaint();
  const pictures = await client.storedPictures(source).catch((error) => {
    console.warn('Leafcheck could not encode the photo:', error);
    return { photo: null, thumbnail: null };
  });
  // A picture the browser cannot decode is kept as it came (the engine's decoder read it).
  record.photo = pictures.photo ?? (source instanceof Blob ? source : null);
  record.thumbnail = pictures.thumbnail;
  if (currentScan === scan) showResultPhoto(tr, record);
  record.location = await locationPromise;
  await saveCurrentScan();
}

async function saveCurrentScan() {
  if (!currentScan) return;
  if (!history) {
    showError($('scan-error'), 'errorHistoryUnavailable');
    return;
  }
  try {
    if (currentScan.id === null) {
      currentScan.id = await history.add(currentScan.record);
    } else {
      await history.update(currentScan.id, { note: currentScan.record.note });
    }
    await renderHistory();
  } catch (error) {
    showError($('scan-error'), isQuotaError(error) ? 'errorStorageFull' : 'errorHistorySave');
    console.warn('Leafcheck could not save the scan:', error);
  }
}

// ---- result view and sharing -------------------------------------------------------------------

function renderResult() {
  if (currentScan) showResult(tr, currentScan);
}

async function share(record) {
  if (!(await shareRecord(tr, record))) showError($('scan-error'), 'errorShare');
}

// ---- camera -------------------------------------------------------------------------------------

async function openCamera() {
  $('scan-error').hidden = true;
  $('live-camera').hidden = false;
  try {
    await camera.open();
    $('live-capture').focus();
    if (!engineReady || engineError) startEngine();
    live.start(engineReady);
  } catch (error) {
    $('live-camera').hidden = true;
    camera.close();
    showError($('scan-error'), cameraErrorKey(error));
  }
}

function closeCamera() {
  live.stop();
  camera.close();
  $('live-camera').hidden = true;
}

// ---- history view -------------------------------------------------------------------------------

async function renderHistory() {
  await showHistory(tr, history, {
    open: (record) => {
      currentScan = { record, id: record.id, timings: null };
      location.hash = '#scan';
      renderResult();
      $('result').focus();
    },
    remove: async (record) => {
      await history.delete(record.id);
      if (currentScan?.id === record.id) currentScan = null;
      await renderHistory();
    },
    share: canShare() ? share : null,
  });
}

// ---- settings view ------------------------------------------------------------------------------

function renderOfflineState() {
  showOfflineState(tr, offline, engine);
}

function renderStorage() {
  showStorage(tr, offline);
}

function renderSettings() {
  showSettings(tr, { settings, engine, engineError, offline, version: buildInfo.version });
}

async function changeLanguage(language) {
  if (!LANGUAGES.includes(language)) return;
  tr = await Translations.load(language);
  settings.language = language;
  saveSettings(settings);
  tr.apply();
  renderCropChoice();
  renderSettings();
  renderResult();
  await renderHistory();
}

async function changeLocationSetting(enabled) {
  settings.saveLocation = false;
  if (enabled && navigator.geolocation) {
    settings.saveLocation = await askLocationPermission();
    if (!settings.saveLocation) alert(tr.t('errorLocationDenied'));
  }
  saveSettings(settings);
  $('setting-location').checked = settings.saveLocation;
}

// ---- navigation ---------------------------------------------------------------------------------

function showView() {
  const view = ['scan', 'history', 'settings'].includes(location.hash.slice(1)) ? location.hash.slice(1) : 'scan';
  for (const name of ['scan', 'history', 'settings']) {
    $(`view-${name}`).hidden = name !== view;
    const tab = $(`tab-${name}`);
    if (name === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (view !== 'scan' && camera.active) closeCamera();
  if (view === 'settings') renderSettings();
}

// ---- wiring -------------------------------------------------------------------------------------

function wire() {
  for (const input of [$('input-camera'), $('input-gallery')]) {
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      input.value = '';
      if (file) scanFile(file);
    });
  }
  $('open-live-camera').addEventListener('click', openCamera);
  $('live-capture').addEventListener('click', scanCameraFrame);
  $('live-close').addEventListener('click', closeCamera);
  $('result-again').addEventListener('click', () => {
    $('result').hidden = true;
    $('scan-start').hidden = false;
    window.scrollTo({ top: 0 });
    $('input-camera').focus();
  });
  $('result-save-note').addEventListener('click', async () => {
    if (!currentScan) return;
    currentScan.record.note = $('result-note').value.trim();
    await saveCurrentScan();
    setStatus(tr.t('noteSaved'));
  });
  $('result-share').addEventListener('click', () => currentScan && share(currentScan.record));
  $('history-export').addEventListener('click', () => downloadHistoryCsv(tr, history));
  $('history-clear').addEventListener('click', async () => {
    if (!confirm(tr.t('confirmDeleteAll'))) return;
    await history.clear();
    currentScan = null;
    await renderHistory();
  });
  $('scan-crop').addEventListener('change', (event) => {
    settings.crop = event.target.value || null;
    saveSettings(settings);
  });
  $('setting-language').addEventListener('change', (event) => changeLanguage(event.target.value));
  $('setting-location').addEventListener('change', (event) => changeLocationSetting(event.target.checked));
  $('update-reload').addEventListener('click', () => offline.reloadToUpdate());
  window.addEventListener('hashchange', showView);

  acceptDroppedPhotos($('view-scan'), $('drop-zone'), scanFile);
  acceptPastedPhotos(document, (file) => {
    location.hash = '#scan';
    scanFile(file);
  });
  if (!LiveCamera.supported) $('open-live-camera').hidden = true;
  new InstallOffer($('install-app'), $('install-hint-ios'));

  offline.addEventListener('change', () => {
    renderOfflineState();
    renderStorage();
  });
  offline.addEventListener('update-available', () => {
    $('update-banner').hidden = false;
  });
}

tr.apply();
renderCropChoice();
wire();
showView();
renderSettings();
try {
  history = await HistoryStore.open();
} catch (error) {
  console.warn('Leafcheck history is unavailable:', error);
}
await renderHistory();

offline.start().then(async (controlled) => {
  startEngine();
  if (controlled) scanSharedPhoto();
  if (controlled) await offline.persist();
  await engineReady.catch(() => {});
  await offline.refresh();
});
