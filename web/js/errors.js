// Maps technical errors (engine, browser, storage) to keys of friendly messages in i18n/<lang>.json.
export function imageErrorKey(error) {
  const text = String(error?.message ?? '');
  if (/empty|zero.?(size|byte|length)|0 bytes/i.test(text)) return 'errorImageEmpty';
  if (/\(HEIC\)/.test(text)) return 'errorImageHeic';
  if (/megapixel|too (large|big)|exceeds|limit/i.test(text)) return 'errorImageTooLarge';
  return 'errorImageUnreadable';
}

export function scanErrorKey(error) {
  switch (error?.name) {
    case 'ImageError':
      return imageErrorKey(error);
    case 'ModelError':
      return 'errorModel';
    case 'DownloadError':
      return 'errorDownload';
    case 'QuotaExceededError':
      return 'errorStorageFull';
    default:
      return 'errorUnexpected';
  }
}

export function cameraErrorKey(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'errorCameraDenied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'errorCameraMissing';
    case 'NotReadableError':
    case 'AbortError':
      return 'errorCameraBusy';
    default:
      return 'errorCameraUnsupported';
  }
}

// IndexedDB reports a full disk as QuotaExceededError, sometimes wrapped in an AbortError.
export function isQuotaError(error) {
  return error?.name === 'QuotaExceededError' || /quota/i.test(String(error?.message ?? ''));
}
