// The phone's position for a scan, only when the person turned "Save the location" on in Settings.

// Resolves to {latitude, longitude, accuracy}, or null when off, refused or not found in time: a scan
// never waits on it to be shown.
export function scanPosition(enabled, geolocation = navigator.geolocation) {
  if (!enabled || !geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    geolocation.getCurrentPosition(
      ({ coords }) => resolve({ latitude: coords.latitude, longitude: coords.longitude, accuracy: coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

// Asks once, when the setting is turned on: false only when the person (or the browser) refused. A
// position that merely could not be found yet keeps the setting on.
export function askLocationPermission(geolocation = navigator.geolocation) {
  if (!geolocation) return Promise.resolve(false);
  return new Promise((resolve) => {
    geolocation.getCurrentPosition(() => resolve(true), (error) => resolve(error.code !== error.PERMISSION_DENIED), { timeout: 15000 });
  });
}
