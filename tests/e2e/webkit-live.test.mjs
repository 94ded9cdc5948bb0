// Live mode in WebKit (live-scenario.mjs) on WebKit's mock camera: the enable-mock-capture-devices
// setting, which MiniBrowser takes as an option. Without it WebKitGTK lists no camera here and
// getUserMedia fails with OverconstrainedError; MediaStream is on by default, and MiniBrowser under
// WebKitWebDriver (--automation) grants the camera without a prompt. The mock (the rear-facing "Mock
// video device 2", 1920x1080 at 15 fps) draws a dark grey test pattern (a clock, a frame count, small
// colour bars) with too little plant colour in it, so the app must say "Not a leaf".
import { describeLiveScenario } from './live-scenario.mjs';
import { launchWebKitPage } from './webkit-page.mjs';

describeLiveScenario('WebKit', () => launchWebKitPage({ args: ['--enable-mock-capture-devices=true'] }), {
  kind: 'not-leaf',
  live: 'notLeafShort',
  result: 'notLeafTitle',
  summary: 'notLeafSummary',
});
