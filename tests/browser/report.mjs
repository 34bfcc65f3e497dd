// Opens an execution report in headless Chromium (Debian's, through playwright-core), clicks
// the states named on the command line, and prints one JSON object: the console errors and
// page errors, each diagram box's status classes, the run's status, and what the details
// panel showed after each click. Used by tests/run_cli.rs; it asserts nothing itself.
//
//   node tests/browser/report.mjs CHROMIUM REPORT.html [STATE PATH ...]
import { chromium } from "playwright-core";

const [executablePath, report, ...clicks] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const out = { consoleErrors: [], pageErrors: [], requests: [], boxes: {}, status: null, clicked: {} };
try {
  const page = await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error") out.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => out.pageErrors.push(String(e)));
  page.on("request", (r) => { if (!r.url().startsWith("file:")) out.requests.push(r.url()); });
  await page.goto("file://" + report, { waitUntil: "load" });
  out.status = await page.textContent("#run-status");
  out.boxes = await page.$$eval("#diagram .state[data-path]", (gs) =>
    Object.fromEntries(gs.map((g) => [g.getAttribute("data-path"), Array.from(g.classList).filter((c) => c.startsWith("st-"))])));
  for (const path of clicks) {
    await page.click(`#diagram .state[data-path="${path.replace(/"/g, '\\"')}"]`);
    out.clicked[path] = {
      title: await page.textContent("#details h2"),
      inputs: await page.$$eval("#details pre.input", (ps) => ps.map((p) => p.textContent)),
      outputs: await page.$$eval("#details pre.output", (ps) => ps.map((p) => p.textContent)),
      errors: await page.$$eval("#details pre.error", (ps) => ps.map((p) => p.textContent)),
      retries: await page.$$eval("#details p.retries", (ps) => ps.map((p) => p.textContent)),
      selected: await page.$$eval("#diagram .state.selected", (gs) => gs.map((g) => g.getAttribute("data-path"))),
    };
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
