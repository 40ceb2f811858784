// The browser app end to end, as a user gets it: web/serve.py serving the build folder, Debian's
// Chromium driven by playwright-core (never a downloaded browser), WebGL 2 through SwiftShader.
//
//   node tests/web_e2e.js WEB_DIR [--out DIR]      (DIR keeps the screenshots)
//
// Isolated server: crossOriginIsolated, 2 threads with more than one pthread worker running,
// simulation time and frames advancing, no console errors, a screenshot that shows water, Save
// state downloads a state that dropped back restores its step (a file that is no state is
// refused by name), a dropped scene JSON loads, the WebGL context survives a loss and the
// keyboard still pauses and resumes (Space). ?scene=does-not-exist and a
// ?scene=URL that is missing show the loader's message while a scene keeps running. Server
// without the isolation headers: the single-threaded build with its banner, still simulating.
// The fluid surface (3D): a pool at rest drawn four ways passes tests/tools/surface_checks.py,
// so do its depth and smoothed-depth views (with ?splats=isotropic; ?view= takes the desktop's
// --view names, and the old
// "smoothed depth"; an unknown view is named in the message, so is a bad ?whitewater=), ?nofloat
// shows the particle view and says why, and dam-break-3d at step 400 (?whitewater=off) matches the
// desktop's docs/surface-desktop.png, over the whole frame and over the fluid alone; the
// anisotropic splats pass the desktop's bounds on bumps and roughness in dam-break-3d and
// mixer-3d, the isotropic ones fail the bumps'.
// Meshes: ?scene=URL fetches the mesh the scene names relative to its URL, the mesh is drawn and
// listed (window.flume.obstacles); a dropped .obj joins the scene, a broken one is refused with
// its reason, a scene dropped with its mesh loads it; a missing mesh is named in the error panel.
// Probes: the Probes window's Save probes (.csv) downloads the readings, with the values a
// collapsing column gives (times, water levels, dry probes).
// Bodies: floating-boxes-2d draws and lists its bodies, the mouse drags one, so does ?drag=.
// The first minute: the page without ?scene= opens on the start scene (3D, the surface view), P
// collapses the panel to a strip that a reload remembers (localStorage), a devicePixelRatio of 2
// doubles the drawing buffer, the panels' scale and the font, and a change of devicePixelRatio
// under the running page rescales them.
"use strict";
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const repo = path.resolve(__dirname, "..");
const { chromium } = require(path.join(repo, "node_modules", "playwright-core"));
const webDir = path.resolve(process.argv[2] || path.join(repo, "build/wasm-release/web"));
const outIndex = process.argv.indexOf("--out");
const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1])
                            : fs.mkdtempSync(path.join(os.tmpdir(), "flume-web-"));
fs.mkdirSync(outDir, { recursive: true });

// The scene the page opens on without ?scene= (kStartScene, src/app/scene_display.hpp).
const kStartScene = "mixer-3d";

let passes = 0, failures = 0;
function check(name, ok, detail = "") {
  if (ok) passes++;
  else { failures++; console.log(`FAIL: ${name} ${detail}`); }
}

function startServer(extra) {
  return new Promise((resolve, reject) => {
    const server = spawn("python3", [path.join(repo, "web/serve.py"), "--root", webDir,
                                     "--port", "0", "--quiet", ...extra],
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

async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  const errors = [];
  page.on("console", (m) => {
    // Errors, and Emscripten's warning for a blocking call on the main thread.
    if (m.type() === "error" || /Blocking on the main thread/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.stack || String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.flume && (window.flume.error ||
                             (window.flume.ready && window.flume.frames > 10)),
                             null, { timeout: 90000 });
  return { page, errors };
}

const status = (page) => page.evaluate(() => window.flume);

function waterPixels(file) {
  const stats = execFileSync("python3", [path.join(repo, "tests/tools/png_stats.py"), file,
                                         "--min-x", "400"]).toString();
  return Number(stats.match(/water (\d+)/)[1]);
}

function runChecks(args) {
  try {
    const out = execFileSync("python3", [path.join(repo, "tests/tools/surface_checks.py"), ...args])
      .toString();
    console.log(out.trim());
    return true;
  } catch (e) {
    console.log(String(e.stdout).trim());
    return false;
  }
}

// A 480x360 page of `query` whose simulation pauses at `step`, captured once that state is drawn.
async function captureAtStep(browser, url, query, step, file) {
  const page = await browser.newPage({ viewport: { width: 480, height: 360 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.stack || String(e)));
  await page.goto(`${url}?${query}&pauseat=${step}&threads=2`);
  await page.waitForFunction((s) => window.flume && window.flume.ready && window.flume.paused &&
                             window.flume.step >= s, step, { timeout: 200000 });
  const drawn = (await status(page)).frames;
  await page.waitForFunction((f) => window.flume.frames > f + 2, drawn, { timeout: 30000 });
  await page.screenshot({ path: file });
  const s = await status(page);
  await page.close();
  check(`no console errors (${query})`, errors.length === 0, errors.join(" | "));
  return s;
}

async function surfaceTests(browser, url) {
  const pool = (view) => path.join(outDir, `pool-${view}.png`);
  for (const view of ["surface", "particles", "normals", "thickness"]) {
    const s = await captureAtStep(browser, url, `scene=hydrostatic-3d&ui=0&view=${view}`, 5,
                                  pool(view));
    check(`the pool is drawn in the ${view} view`, s.view === view && s.step === 5,
          `${s.view} at step ${s.step}: ${s.surfaceUnavailable}`);
  }
  check("the pool's surface passes its checks",
        runChecks(["pool", pool("normals"), pool("thickness"), pool("surface"), pool("particles")]));
  // The depth buffers' views by the desktop's --view names (one table: src/app/view_mode.hpp),
  // checked as the desktop's are; the old spelling ?view=smoothed%20depth still works, and an
  // unknown name is said in the message while the default view shows.
  // The filter's check on the isotropic splats (?splats=isotropic), as on the desktop.
  for (const view of ["depth", "smoothed-depth", "normals"]) {
    const s = await captureAtStep(browser, url,
                                  `scene=hydrostatic-3d&ui=0&view=${view}&splats=isotropic`, 5,
                                  pool(`iso-${view}`));
    check(`the pool is drawn in the ${view} view`, s.view === view && s.step === 5,
          `${s.view} at step ${s.step}: ${s.surfaceUnavailable}`);
  }
  check("the depth and smoothed-depth views pass their checks",
        runChecks(["depth", pool("iso-depth"), pool("iso-smoothed-depth"), pool("iso-normals")]));
  const old = await captureAtStep(browser, url, "scene=hydrostatic-3d&ui=0&view=smoothed%20depth",
                                  5, pool("smoothed-depth-old-name"));
  check("?view=smoothed depth (the old spelling) shows the smoothed depth",
        old.view === "smoothed-depth", JSON.stringify(old.view));
  const unknown = await captureAtStep(browser, url,
                                      "scene=hydrostatic-3d&ui=0&view=smoothed_depth&whitewater=maybe",
                                      5, pool("unknown-view"));
  check("an unknown ?view= is named in the message and the surface shows",
        unknown.view === "surface" && unknown.message.includes('unknown view "smoothed_depth"') &&
        unknown.message.includes("smoothed-depth"), JSON.stringify([unknown.view, unknown.message]));
  check("so is a bad ?whitewater=", unknown.message.includes("unknown ?whitewater=maybe"),
        JSON.stringify(unknown.message));

  const f = await captureAtStep(browser, url, "scene=hydrostatic-3d&ui=0&nofloat", 5,
                                pool("fallback"));
  check("?nofloat falls back to particles and says why", f.view === "particles" &&
        f.surfaceUnavailable.includes("float render targets are turned off"), JSON.stringify(f));
  check("the fallback draws the particle view",
        runChecks(["compare", pool("fallback"), pool("particles"), "0.5"]));

  // The same scene, step, size and view as the desktop's picture (SwiftShader against llvmpipe).
  const shot = path.join(outDir, "surface-browser.png");
  // Without the whitewater, whose particles depend on which frames the page happened to draw.
  await captureAtStep(browser, url, "scene=dam-break-3d&ui=0&whitewater=off", 400, shot);
  check("dam-break-3d's surface at step 400 matches the desktop's",
        runChecks(["compare", shot, path.join(repo, "docs/surface-desktop.png"), "3"]));
  // The fluid is under 3% of the picture: the whole frame's mean passes with it missing (1.68),
  // so its pixels are compared alone (0.30 between docs/surface-browser.png and the desktop's).
  check("and so does its fluid",
        runChecks(["compare-fluid", shot, path.join(repo, "docs/surface-desktop.png"), "3"]));
}

// Anisotropic splats against isotropic ones, with the desktop's metrics and bounds
// (tests/desktop_smoke.sh): bumps at the particle scale in the normals view and the roughness
// of the smoothed depth, dam-break-3d and mixer-3d paused at step 400; the isotropic splats'
// bumps fail the bound.
async function splatTests(browser, url) {
  for (const [scene, period, bumps, rough] of [["dam-break-3d", "3.03", "4.0", "0.575"],
                                               ["mixer-3d", "5.08", "10.0", "0.55"]]) {
    const file = (name) => path.join(outDir, `${scene}-${name}.png`);
    for (const [name, query] of [["normals", "view=normals"],
                                 ["smoothed-depth", "view=smoothed-depth"],
                                 ["iso-normals", "view=normals&splats=isotropic"]]) {
      await captureAtStep(browser, url, `scene=${scene}&ui=0&${query}`, 400, file(name));
    }
    check(`${scene}: the anisotropic splats' bumps are within ${bumps}`,
          runChecks(["bumps", file("normals"), file("normals"), period, bumps]));
    check(`${scene}: the anisotropic splats' smoothed depth's roughness is within ${rough}`,
          runChecks(["roughness", file("smoothed-depth"), file("normals"), rough]));
    check(`${scene}: the isotropic splats' bumps are not`,
          !runChecks(["bumps", file("iso-normals"), file("iso-normals"), period, bumps]));
  }
}

function obstaclePixels(file, region) {
  const stats = execFileSync("python3", [path.join(repo, "tests/tools/png_stats.py"), file,
                                         "--region", region]).toString();
  return Number(stats.match(/obstacle (\d+)/)[1]);
}

// Drops files (name -> text) on the canvas, as a user's drag and drop does.
async function dropFiles(page, files) {
  const transfer = await page.evaluateHandle((list) => {
    const t = new DataTransfer();
    for (const [name, text] of list) t.items.add(new File([text], name));
    return t;
  }, Object.entries(files));
  await page.dispatchEvent("#canvas", "drop", { dataTransfer: transfer });
}

async function meshTests(browser, url) {
  // Scenes served under test/ (routed here), naming meshes relative to their URL.
  const ramp = JSON.parse(fs.readFileSync(path.join(repo, "scenes/ramp-3d.json"), "utf8"));
  ramp.particle_radius = 0.03;
  ramp.obstacles[0].file = "../scenes/meshes/ramp.obj";
  const missing = { ...ramp, obstacles: [{ shape: "mesh", file: "nowhere.obj" }] };
  const cube = fs.readFileSync(path.join(repo, "scenes/meshes/cube.obj"), "utf8");
  const serve = async (page) => {
    for (const [name, scene] of [["ramp-coarse", ramp], ["missing-mesh", missing]]) {
      await page.route(`**/test/${name}.json`, (route) =>
        route.fulfill({ body: JSON.stringify(scene), contentType: "application/json" }));
    }
  };
  const page = await browser.newPage({ viewport: { width: 480, height: 360 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.stack || String(e)));
  await serve(page);
  await page.goto(`${url}?scene=test/ramp-coarse.json&ui=0&pauseat=5&threads=2`);
  await page.waitForFunction(() => window.flume && (window.flume.error ||
                             (window.flume.ready && window.flume.paused && window.flume.step >= 5)),
                             null, { timeout: 90000 });
  const framesDrawn = async () => (await status(page)).frames;
  const settle = async () => {
    const f = await framesDrawn();
    await page.waitForFunction((n) => window.flume.frames > n + 2, f, { timeout: 30000 });
  };
  await settle();
  const a = await status(page);
  const o = a.obstacles || [];
  check("?scene=URL fetches the mesh it names and lists it",
        !a.error && o.length === 1 && o[0].name === "mesh ../scenes/meshes/ramp.obj" &&
        o[0].triangles === 8 && o[0].boundarySamples > 0, JSON.stringify({ error: a.error, o }));
  const rampShot = path.join(outDir, "ramp.png");
  await page.screenshot({ path: rampShot });
  const rampPixels = obstaclePixels(rampShot, "200,200,340,280");
  check("the ramp is drawn", rampPixels > 1500, `${rampPixels} pixels`);

  await dropFiles(page, { "cube.obj": cube });
  await page.waitForFunction(() => (window.flume.obstacles || []).length === 2, null,
                             { timeout: 30000 }).catch(() => {});
  await settle();
  const b = await status(page);
  check("a dropped mesh joins the scene", b.obstacles.length === 2 &&
        b.obstacles[1].name === "mesh cube.obj" && b.obstacles[1].triangles === 12,
        JSON.stringify(b.obstacles) + " " + b.message);
  const dropShot = path.join(outDir, "ramp-dropped.png");
  await page.screenshot({ path: dropShot });
  const boxPixels = obstaclePixels(dropShot, "210,155,270,205");
  check("and is drawn at the view's centre", boxPixels > 150, `${boxPixels} pixels`);

  await dropFiles(page, { "open.obj": cube.slice(0, cube.lastIndexOf("f ")) });
  await page.waitForFunction(() => /open\.obj/.test(window.flume.message), null,
                             { timeout: 10000 }).catch(() => {});
  const c = await status(page);
  check("a broken dropped mesh is refused with its reason and the scene stays",
        c.message.includes("open.obj is not closed") &&
        c.message.includes("the running scene stays") && c.obstacles.length === 2, c.message);

  const withMesh = { name: "dropped-cube", dimension: 3, particle_radius: 0.04,
    domain: { min: [0, 0, 0], max: [1, 1, 1] }, fluid: [{ min: [0, 0, 0], max: [0.4, 0.4, 0.4] }],
    obstacles: [{ shape: "mesh", file: "meshes/cube.obj", scale: 0.2, translate: [0.6, 0, 0.4] }] };
  await dropFiles(page, { "dropped-cube.json": JSON.stringify(withMesh), "cube.obj": cube });
  await page.waitForFunction(() => window.flume.scene === "dropped-cube", null,
                             { timeout: 30000 }).catch(() => {});
  const d = await status(page);
  check("a scene dropped with its mesh loads it", d.scene === "dropped-cube" &&
        d.obstacles.length === 1 && d.obstacles[0].triangles === 12, `${d.scene} ${d.message}`);
  check("no console errors (meshes)", errors.length === 0, errors.join(" | "));
  await page.close();

  // A mesh that is not there: the error panel names it and its URL; a scene still runs.
  const e = await browser.newPage({ viewport: { width: 480, height: 360 } });
  await serve(e);
  await e.goto(`${url}?scene=test/missing-mesh.json&threads=2`);
  await e.waitForFunction(() => window.flume && window.flume.error && window.flume.step > 0,
                          null, { timeout: 90000 }).catch(() => {});
  const m = await status(e);
  await e.screenshot({ path: path.join(outDir, "missing-mesh.png") });
  const panel = await e.isVisible("#error") ? await e.textContent("#error") : "";
  check("a missing mesh is named with its URL in the error panel",
        panel.includes("cannot load nowhere.obj") && panel.includes(`${url}test/nowhere.obj`) &&
        panel.includes("HTTP 404"), panel);
  check("and the start scene runs", m.scene === kStartScene && m.step > 0,
        `${m.scene} step ${m.step}`);
  await e.close();
}

// Probes: dam-break-probes-3d (coarse, served under test/) records its probes; the Probes
// window's "Save probes (.csv)" downloads them with flume-cli's header.
async function probeTests(browser, url) {
  const scene = JSON.parse(fs.readFileSync(path.join(repo, "scenes/dam-break-probes-3d.json"), "utf8"));
  scene.particle_radius = 0.04;
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.stack || String(e)));
  await page.route("**/test/probes-coarse.json", (route) =>
    route.fulfill({ body: JSON.stringify(scene), contentType: "application/json" }));
  await page.goto(`${url}?scene=test/probes-coarse.json&view=particles&pauseat=40&threads=2`);
  await page.waitForFunction(() => window.flume && (window.flume.error ||
                             (window.flume.ready && window.flume.paused && window.flume.step >= 40)),
                             null, { timeout: 90000 });
  // The button's place: the window's top right corner (ImGui at devicePixelRatio 1).
  const [csv] = await Promise.all([page.waitForEvent("download"), page.mouse.click(1010, 46)]);
  const file = path.join(outDir, csv.suggestedFilename());
  await csv.saveAs(file);
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  check("Save probes downloads the readings as CSV",
        csv.suggestedFilename().endsWith(".csv") &&
        lines[0].startsWith("time [s],P1 pressure [Pa],P1 vx [m/s],P1 vy [m/s],P1 vz [m/s]") &&
        lines.length === 21 && lines.every((l) => l.split(",").length === 51),
        `${csv.suggestedFilename()}: ${lines.length} lines, ${lines[0].slice(0, 80)}`);
  // Its values: a reading every 10 ms from t = 0; the water level H4, in the 0.55 m column,
  // starts near 0.55 m (a particle's size, 0.08 m, below at most) and falls as it collapses; H1
  // and H2 stay dry and the pressure probes on the box see no water: the front, at most
  // 2 sqrt(g 0.55) = 4.6 m/s, is still more than 0.9 m from the box at t = 0.2 s.
  const header = lines[0].split(",");
  const rows = lines.slice(1).map((l) => l.split(",").map(Number));
  const column = (name) => rows.map((r) => r[header.indexOf(name)]);
  const times = column("time [s]"), h4 = column("H4 level [m]");
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  check("the probes' times start at 0 and step by about 10 ms",
        times[0] === 0 && gaps.every((g) => g >= 0.005 && g < 0.02), times.join(" "));
  check("H4 reads the collapsing column's level",
        h4[0] > 0.47 && h4[0] <= 0.56 && h4.every((h) => h > 0.35 && h <= 0.56) &&
        h4[h4.length - 1] < h4[0], h4.join(" "));
  check("H1 and H2 are dry, P1-P8 see no water",
        [...column("H1 level [m]"), ...column("H2 level [m]")].every((h) => h === 0) &&
        header.filter((h) => / pressure /.test(h)).length === 8 &&
        header.filter((h) => / pressure /.test(h)).every((h) => column(h).every(Number.isNaN)),
        `H1 ${column("H1 level [m]").join(" ")}; P1 ${column("P1 pressure [Pa]").join(" ")}`);
  check("no console errors (probes)", errors.length === 0, errors.join(" | "));
  await page.close();
}

// Rigid bodies: floating-boxes-2d paused at step 5 draws its bodies in their amber where they
// are (the middle box, as on the desktop) and lists them (window.flume.bodies); the mouse grabs
// the middle box and drags it up and right (the desktop's code path); ?drag= does the same from
// the query.
async function bodyTests(browser, url) {
  const shot = path.join(outDir, "bodies-2d.png");
  const page = await browser.newPage({ viewport: { width: 480, height: 360 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.stack || String(e)));
  await page.goto(`${url}?scene=floating-boxes-2d&ui=0&pauseat=5&threads=2`);
  await page.waitForFunction(() => window.flume && window.flume.ready && window.flume.paused &&
                             window.flume.step >= 5, null, { timeout: 90000 });
  const drawn = (await status(page)).frames;
  await page.waitForFunction((f) => window.flume.frames > f + 2, drawn, { timeout: 30000 });
  await page.screenshot({ path: shot });
  const bodyPixels = (region) => Number(execFileSync("python3", [
    path.join(repo, "tests/tools/png_stats.py"), shot, "--region", region]).toString()
    .match(/body (\d+)/)[1]);
  const box = bodyPixels("215,128,265,143"), below = bodyPixels("0,200,480,360");
  const a = await status(page);
  check("the bodies are drawn where they are and listed", box > 700 && below === 0 &&
        a.bodies.length === 4, `${box} of 750 pixels, ${below} below, ${a.bodies.length} bodies`);
  // Grabbed at its middle (1.0, 0.7 m: pixel 240, 136), held at pixel 345, 90 (1.47, 0.9 m).
  await page.mouse.move(240, 136);
  await page.mouse.down();
  await page.mouse.move(345, 90, { steps: 4 });
  await page.keyboard.press("Space");
  await page.waitForFunction(() => window.flume.bodies[1].position[0] > 1.3, null,
                             { timeout: 30000 }).catch(() => {});
  await page.mouse.up();
  const b = await status(page);
  check("the mouse drags a body", b.bodies[1].position[0] > 1.3 && b.bodies[1].position[1] > 0.7,
        `body 1 at ${b.bodies[1].position} (step ${b.step}), body 0 at ${b.bodies[0].position}`);
  await page.close();
  check("no console errors (bodies)", errors.length === 0, errors.join(" | "));
  const d = await captureAtStep(browser, url, "scene=floating-boxes-2d&ui=0&drag=1,1.5,0.85", 120,
                                path.join(outDir, "bodies-drag.png"));
  check("?drag= drags a body", d.bodies[1].position[0] > 1.4 && d.bodies[1].position[1] > 0.75,
        `body 1 at ${d.bodies[1].position}`);
}

// The first minute, as a new user gets it.
async function firstMinuteTests(browser, url) {
  // No ?scene=: the start scene, a 3D scene in the surface view, its water in view.
  {
    const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.stack || String(e)));
    await page.goto(`${url}?threads=2`);
    await page.waitForFunction(() => window.flume && (window.flume.error ||
                               (window.flume.ready && window.flume.frames > 5 && window.flume.step > 0)),
                               null, { timeout: 120000 }).catch(() => {});
    const a = await status(page);
    await page.waitForTimeout(5000);
    const b = await status(page);
    const seconds = 5;
    console.log(`start scene: ${b.scene}, ${b.particles} particles, ${b.threads} threads; ` +
                `whitewater ${b.whitewaterParticles} particles, ` +
                `${Number(b.whitewaterMilliseconds).toFixed(2)} ms a frame (CPU); ` +
                `${((b.frames - a.frames) / seconds).toFixed(1)} frames/s, ` +
                `${((b.step - a.step) / seconds).toFixed(1)} steps/s, ` +
                `${((b.time - a.time) / seconds).toFixed(3)} simulated s per s`);
    check("the page opens on the start scene", b.scene === kStartScene, b.scene);
    check("a 3D scene in the surface view", b.view === "surface", `view ${b.view}`);
    check("with the panel expanded", b.panel === "expanded", `panel ${b.panel}`);
    check("the start scene runs", b.step > a.step && b.frames > a.frames,
          `step ${a.step} -> ${b.step}, frames ${a.frames} -> ${b.frames}`);
    const shot = path.join(outDir, "start.png");
    await page.screenshot({ path: shot });
    const water = waterPixels(shot);
    check("its water is in view right of the panel", water > 5000, `${water} water pixels`);
    check("no console errors (start scene)", errors.length === 0, errors.join(" | "));
    await page.close();
  }

  // P collapses the panel to a strip; the page remembers it (localStorage) across a reload; P
  // expands it again, remembered too. One browser context: one localStorage.
  {
    const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.stack || String(e)));
    const open = async () => {
      await page.waitForFunction(() => window.flume && window.flume.ready && window.flume.frames > 3,
                                 null, { timeout: 90000 }).catch(() => {});
      await page.waitForTimeout(300);
    };
    const press = async (want) => {
      await page.keyboard.press("p");
      await page.waitForFunction((w) => window.flume.panel === w, want, { timeout: 10000 })
        .catch(() => {});
    };
    await page.goto(`${url}?scene=hydrostatic-2d&threads=1`);
    await open();
    check("the panel starts expanded", (await status(page)).panel === "expanded");
    await press("strip");
    const collapsed = await status(page);
    const stored = await page.evaluate(() => localStorage.getItem("flume.settings"));
    await page.screenshot({ path: path.join(outDir, "strip.png") });
    check("P collapses the panel to a strip", collapsed.panel === "strip", collapsed.panel);
    check("and stores it", /"panel_collapsed": true/.test(stored || ""), stored);
    await page.reload();
    await open();
    check("a reload remembers the strip", (await status(page)).panel === "strip",
          (await status(page)).panel);
    await press("expanded");
    await page.reload();
    await open();
    check("P expands it, and a reload remembers that", (await status(page)).panel === "expanded",
          (await status(page)).panel);
    check("no page errors (strip)", errors.length === 0, errors.join(" | "));
    await context.close();
  }

  // devicePixelRatio 2: a drawing buffer of twice the CSS size, panels and font at twice the scale.
  {
    const page = await browser.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.goto(`${url}?scene=hydrostatic-2d&threads=1`);
    await page.waitForFunction(() => window.flume && window.flume.ready && window.flume.frames > 3,
                               null, { timeout: 90000 }).catch(() => {});
    const s = await status(page);
    await page.screenshot({ path: path.join(outDir, "dpr2.png") });
    check("devicePixelRatio 2: a 1280x800 drawing buffer for a 640x400 page",
          s.devicePixelRatio === 2 && String(s.canvas) === "1280,800", `${s.devicePixelRatio} ${s.canvas}`);
    check("and the panels and font at twice the scale", s.uiScale === 2 && s.fontSize === 26,
          `ui scale ${s.uiScale}, font ${s.fontSize}`);
    await page.close();
  }

  // devicePixelRatio changing under a running page (browser zoom, another screen): the font is
  // rasterised again and the panels rescaled, and drawing goes on.
  {
    const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.stack || String(e)));
    await page.goto(`${url}?scene=hydrostatic-2d&threads=1`);
    await page.waitForFunction(() => window.flume && window.flume.ready && window.flume.frames > 3,
                               null, { timeout: 90000 }).catch(() => {});
    const before = await status(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setDeviceMetricsOverride",
                   { width: 640, height: 400, deviceScaleFactor: 1.5, mobile: false });
    await page.waitForFunction(() => window.flume.uiScale === 1.5, null, { timeout: 10000 })
      .catch(() => {});
    const changed = await status(page);
    await page.waitForTimeout(500);
    const after = await status(page);
    await page.screenshot({ path: path.join(outDir, "dpr-change.png") });
    check("a devicePixelRatio change from 1 to 1.5 rescales the UI and the buffer",
          before.uiScale === 1 && before.fontSize === 13 && changed.uiScale === 1.5 &&
          changed.fontSize === 20 && String(changed.canvas) === "960,600",
          `${before.uiScale}/${before.fontSize} -> ${changed.uiScale}/${changed.fontSize}, canvas ${changed.canvas}`);
    check("and the page goes on drawing", after.frames > changed.frames + 1,
          `frames ${changed.frames} -> ${after.frames}`);
    check("no console errors (devicePixelRatio change)", errors.length === 0, errors.join(" | "));
    await page.close();
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic", "--no-first-run"],
  });
  const isolated = await startServer([]);
  const plain = await startServer(["--no-isolation"]);
  try {
    // --- Cross-origin isolated: the threaded build.
    {
      const { page, errors } = await openPage(browser, isolated.url + "?scene=dam-break-2d&threads=2");
      const a = await status(page);
      check("no error panel", !a.error, a.error);
      check("crossOriginIsolated", a.crossOriginIsolated === true);
      check("threaded build loaded", a.build === "threads", a.build);
      check("2 simulation threads", a.threads === 2, `threads ${a.threads}`);
      check("more than one pthread worker running", a.workers > 1, `workers ${a.workers}`);
      await page.waitForTimeout(3000);
      const b = await status(page);
      check("simulation time advances", b.time > a.time && b.step > a.step,
            `t ${a.time} -> ${b.time}`);
      check("frames are drawn", b.frames > a.frames + 10, `frames ${a.frames} -> ${b.frames}`);
      const seconds = 3;
      console.log(`threads: ${b.threads} threads, ${b.workers} workers, ${b.particles} particles` +
                  ` of ${b.scene}; ${((b.frames - a.frames) / seconds).toFixed(1)} frames/s, ` +
                  `${((b.step - a.step) / seconds).toFixed(1)} steps/s ` +
                  `(app: ${b.fps.toFixed(1)} fps, ${b.stepsPerSecond.toFixed(1)} steps/s), ` +
                  `heap ${b.heapMB} MB`);
      const shot = path.join(outDir, "threads.png");
      await page.screenshot({ path: shot });
      const water = waterPixels(shot);
      check("screenshot shows the fluid", water > 5000, `${water} water pixels`);

      // The Run panel's Screenshot and Save particles (.vtp) buttons become downloads. (Clicked
      // where ImGui lays them out at this viewport size and devicePixelRatio 1, below the Scene
      // panel's list and dam-break-2d's description.)
      const [png] = await Promise.all([page.waitForEvent("download"), page.mouse.click(202, 377)]);
      const pngFile = path.join(outDir, png.suggestedFilename());
      await png.saveAs(pngFile);
      check("Screenshot downloads a PNG of the view",
            png.suggestedFilename().endsWith(".png") && waterPixels(pngFile) > 5000,
            png.suggestedFilename());
      const [vtp] = await Promise.all([page.waitForEvent("download"), page.mouse.click(95, 400)]);
      const vtpFile = path.join(outDir, vtp.suggestedFilename());
      await vtp.saveAs(vtpFile);
      const vtpStats = execFileSync("python3", [path.join(repo, "tests/tools/read_vtp.py"),
                                                vtpFile]).toString();
      check("Save particles downloads a .vtp of every particle",
            vtpStats.includes(`points ${b.particles}`), vtpStats.split("\n")[0]);

      // Save state downloads SCENE-STEP.flume-state, a state file ("FLUMESTA"); dropped back on
      // the page after more steps, it restores its step; a file that is no state is refused by
      // name and the simulation stays where it is. (Paused with Space, stepped with S.)
      await page.keyboard.press("Space");
      await page.waitForFunction(() => window.flume.paused, null, { timeout: 10000 })
        .catch(() => {});
      await page.waitForTimeout(300);  // a step under way when the pause came is published
      const [stateDownload] = await Promise.all([page.waitForEvent("download"),
                                                 page.mouse.click(57, 423)]);
      const stateFile = path.join(outDir, stateDownload.suggestedFilename());
      await stateDownload.saveAs(stateFile);
      const stateBytes = fs.readFileSync(stateFile);
      const savedStep = Number((stateDownload.suggestedFilename()
                                 .match(/^dam-break-2d-(\d+)\.flume-state$/) || [])[1]);
      check("Save state downloads SCENE-STEP.flume-state, a state file",
            stateBytes.subarray(0, 8).toString("latin1") === "FLUMESTA" &&
            savedStep === (await status(page)).step,
            `${stateDownload.suggestedFilename()}, step ${(await status(page)).step}`);
      for (let i = 0; i < 3; ++i) await page.keyboard.press("s");
      await page.waitForFunction((s) => window.flume.step === s + 3, savedStep,
                                 { timeout: 10000 }).catch(() => {});
      const dropBytes = async (name, bytes) => {
        const transfer = await page.evaluateHandle(([n, b]) => {
          const t = new DataTransfer();
          t.items.add(new File([new Uint8Array(b)], n));
          return t;
        }, [name, Array.from(bytes)]);
        await page.dispatchEvent("#canvas", "drop", { dataTransfer: transfer });
      };
      await dropBytes(path.basename(stateFile), stateBytes);
      await page.waitForFunction((s) => window.flume.step === s &&
                                   window.flume.message.startsWith("loaded the state"),
                                 savedStep, { timeout: 10000 }).catch(() => {});
      const loaded = await status(page);
      check("a dropped .flume-state restores its step", loaded.step === savedStep &&
            loaded.message.includes(`(step ${savedStep},`),
            `step ${loaded.step} (saved at ${savedStep}), message ${loaded.message}`);
      await dropBytes("notes.flume-state", Buffer.from("not a state"));
      await page.waitForFunction(() => window.flume.message.includes("notes.flume-state"), null,
                                 { timeout: 10000 }).catch(() => {});
      const refused = await status(page);
      check("a dropped file that is no state is refused by name, the simulation untouched",
            refused.message.includes("notes.flume-state: not a Flume state file") &&
            refused.step === savedStep, `step ${refused.step}, message ${refused.message}`);
      await page.keyboard.press("Space");

      // A scene JSON dropped on the canvas replaces the running one.
      const scene = JSON.stringify({ name: "dropped-box", dimension: 2, particle_radius: 0.02,
        domain: { min: [0, 0], max: [2, 2] }, fluid: [{ shape: "box", min: [0, 0], max: [1, 1] }] });
      const dt = await page.evaluateHandle((text) => {
        const t = new DataTransfer();
        t.items.add(new File([text], "dropped-box.json", { type: "application/json" }));
        return t;
      }, scene);
      await page.dispatchEvent("#canvas", "drop", { dataTransfer: dt });
      await page.waitForFunction(() => window.flume.scene === "dropped-box" && window.flume.step > 5,
                                 null, { timeout: 30000 }).catch(() => {});
      const d = await status(page);
      check("a dropped scene JSON loads and runs", d.scene === "dropped-box" && d.step > 5,
            `scene ${d.scene}, step ${d.step}, message ${d.message}`);

      // The drawing buffer follows the window size.
      await page.setViewportSize({ width: 1000, height: 600 });
      await page.waitForFunction(() => window.flume.canvas[0] === 1000 && window.flume.canvas[1] === 600,
                                 null, { timeout: 10000 }).catch(() => {});
      check("the canvas follows a window resize", String((await status(page)).canvas) === "1000,600",
            String((await status(page)).canvas));

      // WebGL context loss: the app rebuilds its GL objects when the context comes back. The
      // window is resized while the context is lost (the canvas follows once it is back).
      await page.evaluate(() => {
        window.flumeLoseContext = document.getElementById("canvas").getContext("webgl2")
                                    .getExtension("WEBGL_lose_context");
        window.flumeLoseContext.loseContext();
      });
      await page.waitForFunction(() => window.flume.contextLost, null, { timeout: 10000 })
        .catch(() => {});
      check("context loss noticed", (await status(page)).contextLost === true);
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.waitForTimeout(300);
      await page.evaluate(() => window.flumeLoseContext.restoreContext());
      await page.waitForFunction(() => window.flume.contextRestores === 1 && !window.flume.contextLost,
                                 null, { timeout: 10000 }).catch(() => {});
      const r1 = await status(page);
      await page.waitForTimeout(1000);
      const r2 = await status(page);
      check("drawing resumes after the context is restored",
            r2.contextRestores === 1 && r2.frames > r1.frames + 5 && String(r2.canvas) === "1280,720",
            JSON.stringify(r2));
      // The keyboard reaches the app after the context came back: Space pauses (the step stands
      // still while frames are drawn), Space again resumes.
      await page.keyboard.press("Space");
      await page.waitForFunction(() => window.flume.paused, null, { timeout: 10000 })
        .catch(() => {});
      await page.waitForTimeout(300);  // a step under way when the pause came is published
      const k1 = await status(page);
      await page.waitForTimeout(700);
      const k2 = await status(page);
      check("Space pauses the simulation", k1.paused && k2.paused && k2.step === k1.step &&
            k2.frames > k1.frames, `paused ${k1.paused}/${k2.paused}, step ${k1.step} -> ${k2.step}`);
      await page.keyboard.press("Space");
      await page.waitForFunction((s) => !window.flume.paused && window.flume.step > s, k2.step,
                                 { timeout: 10000 }).catch(() => {});
      const k3 = await status(page);
      check("Space again resumes it", !k3.paused && k3.step > k2.step,
            `paused ${k3.paused}, step ${k2.step} -> ${k3.step}`);
      const shot2 = path.join(outDir, "restored.png");
      await page.screenshot({ path: shot2 });
      const water2 = waterPixels(shot2);
      check("the fluid is drawn after the context came back", water2 > 2000, `${water2} water pixels`);
      check("no console errors (isolated page)", errors.length === 0, errors.join(" | "));
      await page.close();
    }

    await firstMinuteTests(browser, isolated.url);
    await surfaceTests(browser, isolated.url);
    await splatTests(browser, isolated.url);
    await meshTests(browser, isolated.url);
    await probeTests(browser, isolated.url);
    await bodyTests(browser, isolated.url);

    // --- ?scene=URL fetches a scene file.
    {
      const { page, errors } = await openPage(browser, isolated.url + "?scene=scenes/hydrostatic-2d.json");
      const s = await status(page);
      check("?scene=URL loads the fetched scene", s.scene === "hydrostatic-2d" && !s.message,
            `${s.scene} ${s.message}`);
      check("no console errors (?scene=URL)", errors.length === 0, errors.join(" | "));
      await page.close();
    }

    // --- A bad scene name and a missing scene URL: the message, and a scene keeps running.
    for (const [query, expected] of [["?scene=does-not-exist", 'no built-in scene named "does-not-exist"'],
                                     ["?scene=scenes/missing.json", "cannot load the scene scenes/missing.json"]]) {
      const { page } = await openPage(browser, isolated.url + query);
      await page.waitForTimeout(1000);
      const s = await status(page);
      check(`${query} shows the loader's message`, (s.message || "").includes(expected), s.message);
      check(`${query}: the start scene runs`, s.scene === kStartScene && s.step > 0,
            `${s.scene} step ${s.step}`);
      if (query.includes("does-not")) await page.screenshot({ path: path.join(outDir, "bad-scene.png") });
      await page.close();
    }

    // --- No isolation headers: the single-threaded build and its banner.
    {
      const { page, errors } = await openPage(browser, plain.url + "?scene=dam-break-2d");
      const a = await status(page);
      check("not cross-origin isolated", a.crossOriginIsolated === false);
      check("single-threaded build loaded", a.build === "single" && a.threads === 1,
            `${a.build}, ${a.threads} threads`);
      check("the one-thread banner is shown", await page.isVisible("#banner"));
      await page.waitForTimeout(2000);
      const b = await status(page);
      check("single-threaded: simulation time advances", b.time > a.time, `t ${a.time} -> ${b.time}`);
      console.log(`single: ${((b.frames - a.frames) / 2).toFixed(1)} frames/s, ` +
                  `${((b.step - a.step) / 2).toFixed(1)} steps/s`);
      const shot = path.join(outDir, "single.png");
      await page.screenshot({ path: shot });
      check("single-threaded screenshot shows the fluid", waterPixels(shot) > 5000);
      check("no console errors (single-threaded page)", errors.length === 0, errors.join(" | "));
      await page.close();
    }
  } finally {
    await browser.close();
    isolated.server.kill();
    plain.server.kill();
  }
  console.log(`${passes} passed, ${failures} failed (screenshots in ${outDir})`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
