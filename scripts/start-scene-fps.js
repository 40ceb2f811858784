// Measures what a user of the browser app gets for each candidate start scene: the threaded
// build served by web/serve.py, Debian's Chromium (WebGL 2 through SwiftShader on the CPU), the
// page at the given size with its panels, the surface view. For each scene: frames per second,
// simulation steps per second and simulated seconds per wall-clock second, over `--seconds`
// after the page has drawn its first 30 frames. Used to choose the scene the apps open on
// (docs/apps.md, "The start scene").
//
//   node scripts/start-scene-fps.js [WEB_DIR] [--size 1280,720] [--seconds 10] [--threads N]
//                                   [--scenes a,b,c]
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const repo = path.resolve(__dirname, "..");
const { chromium } = require(path.join(repo, "node_modules", "playwright-core"));
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const webDir = path.resolve(argv[0] && !argv[0].startsWith("--") ? argv[0]
                                                                   : path.join(repo, "build/wasm-release/web"));
const [width, height] = option("--size", "1280,720").split(",").map(Number);
const seconds = Number(option("--seconds", "10"));
const threads = option("--threads", "");
const scenes = option("--scenes", "dam-break-3d,mixer-3d,wave-tank-3d,drop-3d,pour-3d,ramp-3d," +
                                  "channel-3d,floating-3d").split(",");

function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn("python3", [path.join(repo, "web/serve.py"), "--root", webDir,
                                     "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
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
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic", "--no-first-run"],
  });
  const { server, url } = await startServer();
  console.log("scene,particles,threads,frames_per_s,steps_per_s,sim_s_per_s,view");
  try {
    for (const scene of scenes) {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(`${url}?scene=${scene}${threads ? "&threads=" + threads : ""}`);
      await page.waitForFunction(() => window.flume && (window.flume.error ||
                                 (window.flume.ready && window.flume.frames > 30)),
                                 null, { timeout: 120000 });
      const a = await page.evaluate(() => window.flume);
      const t0 = Date.now();
      await page.waitForTimeout(seconds * 1000);
      const b = await page.evaluate(() => window.flume);
      const wall = (Date.now() - t0) / 1000;
      console.log([scene, b.particles, b.threads, ((b.frames - a.frames) / wall).toFixed(1),
                   ((b.step - a.step) / wall).toFixed(1), ((b.time - a.time) / wall).toFixed(3),
                   b.view].join(","));
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
