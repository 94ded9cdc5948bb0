// Live mode in Firefox (live-scenario.mjs) on Gecko's fake camera (media.navigator.streams.fake), with
// no permission prompt to answer; localhost is a secure context, so getUserMedia needs nothing more.
// That camera shows a flat bright green picture (a thin line of text along its top edge); the engine's
// detail check (wasm/detail_check.h) finds nothing to see in it, so the app must say "Not sure" and
// name no class.
// Firefox has no fake camera that plays a picture (only a v4l2loopback device, needing a kernel module).
import { launchFirefoxPage } from './firefox-page.mjs';
import { describeLiveScenario } from './live-scenario.mjs';

describeLiveScenario(
  'Firefox',
  () => launchFirefoxPage({ prefs: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true } }),
  { kind: 'unsure', live: 'unsureShort', result: 'unsureTitle', summary: 'unsureNothingToSee' },
);
