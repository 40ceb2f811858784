// Browser captures of the 3D surface for the docs (scripts/surface-captures.sh runs it): each
// NAME=QUERY@STEP a 960x600 page of the threaded build (?QUERY&ui=0&pauseat=STEP&threads=2),
// captured as OUT_DIR/NAME.png once that step is drawn, with the page's per-pass GPU timings
// (EXT_disjoint_timer_query_webgl2 where Chromium offers it) and the whitewater's count and cost.
//
//   node scripts/surface-captures.js WEB_DIR OUT_DIR NAME=QUERY@STEP ...
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const repo = path.resolve(__dirname, "..");
const { chromium } = require(path.join(repo, "node_modules", "playwright-core"));
const [webDir, outDir, ...shots] = process.argv.slice(2);

function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn("python3", [path.join(repo, "web/serve.py"), "--root", webDir,
                                     "--port", "0", "--quiet"],
                         { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    server.stdout.on("data", (d) => {
      text += d;
      const m = text.match(/Open (http:\/\/\S+)/);
      if (m) resolve({ server, url: m[1] });
    });
    server.on("exit", (code) => reject(new Error(`serve.py exited (${code}): ${text}`)));
  });
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic", "--no-first-run"],
  });
  const { server, url } = await startServer();
  try {
    for (const shot of shots) {
      const [, name, query, step] = shot.match(/^([^=]+)=(.*)@(\d+)$/);
      const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
      await page.goto(`${url}?${query}&ui=0&pauseat=${step}&threads=2`);
      await page.waitForFunction((s) => window.flume && window.flume.ready && window.flume.paused &&
                                 window.flume.step >= s, Number(step), { timeout: 600000 });
      // Paused: a few more frames of the same state, so that the timer queries' results arrive.
      const drawn = await page.evaluate(() => window.flume.frames);
      await page.waitForFunction((f) => window.flume.frames > f + 12, drawn, { timeout: 120000 });
      await page.screenshot({ path: path.join(outDir, `${name}.png`) });
      const s = await page.evaluate(() => window.flume);
      const passes = Object.entries(s.passMilliseconds || {})
        .map(([k, v]) => `${k} ${Number(v).toFixed(2)}`).join(" ");
      console.log(`${name}: step ${s.step}, GPU timer ${s.gpuTimer ? "yes" : "no"}: ${passes}; ` +
                  `frame ${Number(s.frameMilliseconds).toFixed(1)} ms; whitewater ` +
                  `${s.whitewaterParticles} particles, ${Number(s.whitewaterMilliseconds).toFixed(2)} ms`);
      await page.close();
    }
  } finally {
    server.kill();
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
