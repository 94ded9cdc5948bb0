// What a browser test listens for inside the page, in every engine: Content Security Policy violation
// reports, uncaught errors and rejections, console.warn/error (WebKit's driver forwards no console), and
// every URL the page loaded. Installed before the page's scripts where the driver can (Playwright, BiDi),
// right after load where it cannot (classic WebDriver); read back before each navigation. Where the
// driver binds a function window.leafcheckProbeReport(kind, text) into every page (Playwright's
// exposeBinding), each finding also goes there at once, so no navigation can lose it.

// Runs in the page: must not close over anything.
export function installPageProbe() {
  if (window.leafcheckProbe) return;
  const probe = { violations: [], errors: [] };
  window.leafcheckProbe = probe;
  const record = (kind, text) => {
    probe[kind].push(text);
    window.leafcheckProbeReport?.(kind, text);
  };
  document.addEventListener('securitypolicyviolation', (event) => {
    record('violations', `${event.effectiveDirective || event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
  });
  window.addEventListener('error', (event) => record('errors', `error: ${event.message}`));
  window.addEventListener('unhandledrejection', (event) => record('errors', `unhandled rejection: ${event.reason}`));
  for (const level of ['warn', 'error']) {
    const original = console[level];
    console[level] = (...args) => {
      record('errors', `console.${level}: ${args.map(String).join(' ')}`);
      original.apply(console, args);
    };
  }
}

// Runs in the page: what the probe saw, the URLs of every resource this document loaded, and any
// inline script, style or handler in the HTML as served (what the parser would have refused before a
// probe installed after load could hear it). Styles set through the CSSOM are allowed and not counted.
export async function readPageProbe() {
  const probe = window.leafcheckProbe ?? { violations: [], errors: [] };
  const served = new DOMParser().parseFromString(await (await fetch(location.pathname)).text(), 'text/html');
  const inline = [...served.querySelectorAll('script:not([src]), style, [style]')].map((node) => node.outerHTML.slice(0, 80));
  for (const node of served.querySelectorAll('*')) {
    for (const { name } of node.attributes) if (name.startsWith('on')) inline.push(`${node.tagName.toLowerCase()} ${name}`);
  }
  return {
    violations: probe.violations.splice(0),
    errors: probe.errors.splice(0),
    urls: [location.href, ...performance.getEntriesByType('resource').map((entry) => entry.name)],
    inline,
  };
}

// What a whole scenario's documents reported, gathered by collect(readPageProbe() result).
export class ProbeLog {
  violations = [];
  errors = [];
  urls = new Set();
  inline = new Set();

  collect({ violations, errors, urls, inline }) {
    this.violations.push(...violations);
    this.errors.push(...errors);
    for (const url of urls) this.urls.add(url);
    for (const item of inline) this.inline.add(item);
  }

  foreignUrls(origin) {
    return [...this.urls].filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));
  }
}
