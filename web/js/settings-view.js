// The Settings view: language, location, the model and engine in use, offline readiness, storage.
import { $, element } from './dom.js';
import { engineLabel } from './engine-choice.js';
import { scanErrorKey } from './errors.js';

export function modelIsTrained(engine) {
  return engine?.metadata?.trained === true;
}

function fact(term, value) {
  return [element('dt', { textContent: term }), element('dd', { textContent: value })];
}

// test_top1: the top-1 accuracy leafcheck-train measured in the engine for this very file.
function accuracyText(tr, top1) {
  return typeof top1 === 'number' ? tr.formatPercent(top1) : tr.t('notMeasured');
}

// The offline pill and the Settings line about it.
export function showOfflineState(tr, offline, engine) {
  const { state } = offline;
  let pill;
  let detail;
  if (!state.supported || state.error) {
    pill = 'unavailable';
    detail = tr.t('offlineUnavailableDetail');
  } else if (offline.ready && engine) {
    pill = 'ready';
    detail = tr.t('offlineReadyDetail', { files: state.total });
  } else {
    pill = 'preparing';
    detail = state.total ? tr.t('offlinePreparingDetail', { cached: state.cached, total: state.total }) : tr.t('offlinePreparing');
  }
  $('offline-pill').dataset.state = pill;
  $('offline-pill-text').textContent = tr.t(pill === 'ready' ? 'offlineReady' : pill === 'unavailable' ? 'offlineUnavailable' : 'offlinePreparing');
  $('settings-offline').textContent = detail;
}

export async function showStorage(tr, offline) {
  if (!navigator.storage?.estimate) return;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  const persisted = offline.state.persisted;
  $('settings-storage').textContent =
    tr.t('storageUsed', { used: tr.formatBytes(usage), quota: tr.formatBytes(quota) }) +
    (persisted === null ? '' : ` ${tr.t(persisted ? 'storagePersisted' : 'storageNotPersisted')}`);
}

// state: {settings, engine, engineError, offline, version}.
export function showSettings(tr, { settings, engine, engineError, offline, version }) {
  $('setting-language').value = tr.language;
  $('setting-location').checked = settings.saveLocation;
  const model = $('settings-model');
  if (engine) {
    const meta = engine.metadata;
    model.replaceChildren(
      ...fact(tr.t('modelName'), meta.name ?? '—'),
      ...fact(tr.t('modelVersion'), meta.version ?? '—'),
      ...fact(tr.t('modelTrained'), modelIsTrained(engine) ? tr.t('yes') : tr.t('modelUntrained')),
      ...fact(tr.t('modelAccuracy'), modelIsTrained(engine) ? accuracyText(tr, meta.test_top1) : tr.t('notApplicable')),
      ...fact(tr.t('modelClasses'), String(engine.labels.length)),
      ...fact(tr.t('modelEngine'), engineLabel(engine)),
    );
  } else {
    model.replaceChildren(element('dd', { textContent: tr.t(engineError ? scanErrorKey(engineError) : 'preparingEngine') }));
  }
  $('settings-version').textContent = tr.t('appVersion', { version });
  showOfflineState(tr, offline, engine);
  showStorage(tr, offline);
}
