// The person's choices (language, location, crop), kept in localStorage across visits.
const SETTINGS_KEY = 'leafcheck-settings';
const DEFAULTS = { language: null, saveLocation: false, crop: null };

export function loadSettings() {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(SETTINGS_KEY)) };
  } catch {
    return { ...DEFAULTS };
  }
}

export function saveSettings(settings) {
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage full or blocked: the choice still applies to this visit.
  }
}
