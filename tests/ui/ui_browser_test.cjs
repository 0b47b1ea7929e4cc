// The mock's "My Assets" page in a real browser: headless Chromium driven by
// puppeteer-core. Assets are made with the `aigallery` command line against a
// standalone aigallery-mock; the page must show them as a person would read
// them, follow a dependency link, switch accounts, and keep a control token
// out of the address bar. Saves a screenshot.
//
// Environment: MOCK and CLI (the binaries), CHROMIUM, MODULES (the folder
// holding node_modules/puppeteer-core), SCREENSHOT (where to save it).
"use strict";
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const puppeteer = require(require.resolve("puppeteer-core", { paths: [process.env.MODULES] }));

let failures = 0;
function check(ok, what, detail) {
  console.log((ok ? "ok   " : "FAIL ") + what + (ok || detail === undefined ? "" : "\n     got: " + detail));
  if (!ok) failures++;
}

// A standalone mock; resolves once it prints its address.
function startMock(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.env.MOCK, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    const accounts = {};
    let buf = "";
    p.stdout.on("data", (d) => {
      buf += d;
      for (const line of buf.split("\n")) {
        const a = line.match(/^account (\S+) domain_id=(\S+)(?: \S+=\S+)*? token=(\S+)/);
        if (a) accounts[a[1]] = { domain_id: a[2], token: a[3] };
        const l = line.match(/^listening on (\S+)/);
        if (l) resolve({ process: p, url: l[1], accounts });
      }
    });
    p.on("exit", (code) => reject(new Error("aigallery-mock exited with " + code)));
    setTimeout(() => reject(new Error("aigallery-mock did not start")), 10000);
  });
}

function cli(mock, who, args) {
  return execFileSync(process.env.CLI, args, {
    env: { ...process.env, AIGALLERY_ENDPOINT: mock.url, AIGALLERY_TOKEN: mock.accounts[who].token },
    encoding: "utf8",
  });
}

const text = (page) => page.evaluate(() => document.body.innerText);

async function waitForText(page, needle) {
  try {
    await page.waitForFunction((n) => document.body.innerText.includes(n), { timeout: 15000 }, needle);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "aigallery-ui-"));
  const mock = await startMock(["--account", "alice", "--account", "bob", "--account", "carol"]);
  const guarded = await startMock(["--account", "dave", "--control-token", "s3cret-control"]);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    userDataDir: path.join(work, "profile"),  // fresh: nothing from another run
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    // The seeded assets: alice's workflow over two local algorithms, 1.0.0
    // private, 1.0.1 shared with bob and carol; carol's public algorithm.
    const wf = path.join(work, "flowers.json");
    fs.writeFileSync(wf, JSON.stringify({
      name: "flowers", desc: "classifies flowers",
      steps: [{ name: "prepare", algorithm: { id: "algo-prep", name: "resizer" } },
              { name: "train", algorithm: { id: "algo-7f3a", name: "trainer" } }],
    }));
    cli(mock, "alice", ["release", wf, "--title", "Flower classifier", "--desc", "first cut"]);
    const w = JSON.parse(cli(mock, "alice", ["list", "--type", "workflow", "--json"])).items[0].content_id;
    cli(mock, "alice", ["release", wf, "--content-id", w, "--desc", "shared with the team",
                        "--visibility", "group", "--users",
                        mock.accounts.bob.domain_id + "," + mock.accounts.carol.domain_id]);
    const solo = path.join(work, "solo.json");
    fs.writeFileSync(solo, JSON.stringify({ name: "carol's tool", steps: [] }));
    cli(mock, "carol", ["release", solo, "--title", "Leaf counter", "--visibility", "public"]);

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 400 });
    const consoleErrors = [];
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    const outside = [];
    page.on("request", (r) => { if (!r.url().startsWith(mock.url)) outside.push(r.url()); });

    // alice's workflows: the console's path, the versions, who they are shared with, what they run
    await page.goto(mock.url + "/ui/?account=alice", { waitUntil: "load" });
    check(await waitForText(page, "Flower classifier"), "alice's workflow is listed", await text(page));
    let t = await text(page);
    check(t.includes("My Gallery › My Assets › Workflow › My Publishes"), "breadcrumb names the console's path", t);
    check(/1\.0\.1\s+group\s+bob, carol/.test(t), "1.0.1 is group, whitelisting bob and carol by name", t);
    check(/1\.0\.0\s+private/.test(t), "1.0.0 is private", t);
    check(/resizer 1\.0\.1, trainer 1\.0\.1|trainer 1\.0\.1, resizer 1\.0\.1/.test(t), "1.0.1 runs resizer 1.0.1 and trainer 1.0.1", t);
    check(t.includes("shared with the team") && t.includes("first cut"), "descriptions are shown", t);
    check(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/.test(t), "dates are shown", t);
    check(!t.includes("Leaf counter"), "carol's public algorithm is not among alice's publishes", t);
    fs.mkdirSync(path.dirname(process.env.SCREENSHOT), { recursive: true });
    await page.screenshot({ path: process.env.SCREENSHOT });
    check(fs.statSync(process.env.SCREENSHOT).size > 10000, "screenshot saved to " + process.env.SCREENSHOT);

    // a dependency link leads to that algorithm version, which says what uses it
    await page.click("a[href^='#v-'][href$='-1.0.1']");
    check(await waitForText(page, "Used by"), "the link opens the Algorithm tab", await text(page));
    t = await text(page);
    check(t.includes("My Assets › Algorithm › My Publishes"), "breadcrumb follows the tab", t);
    check(t.includes("Flower classifier 1.0.1") && t.includes("Flower classifier 1.0.0"),
          "each algorithm version lists the workflow versions that run it", t);
    check(/2 assets/.test(t), "alice has two algorithms", t);

    // bob: nothing of his own, alice's workflow and algorithms shared with him
    await page.select("#account", "bob");
    await page.click("nav.tabs button[data-tab='shared']");
    check(await waitForText(page, "shared with you by other accounts"), "bob's shared tab loads", await text(page));
    t = await text(page);
    check(t.includes("Flower classifier") && t.includes("by alice") && t.includes("trainer") && t.includes("resizer"),
          "bob sees alice's workflow and its algorithms, by alice", t);
    check(!t.includes("first cut"), "bob does not see the private 1.0.0", t);
    check(!t.includes("Whitelist"), "bob is not shown alice's whitelists", t);
    await page.click("nav.tabs button[data-tab='workflow']");
    check(await waitForText(page, "No workflow published yet."), "bob has published no workflow", await text(page));

    check(outside.length === 0, "the page asked for nothing outside the mock", outside.join(" "));
    check(consoleErrors.length === 0, "no errors in the browser console", consoleErrors.join(" | "));

    // a mock with a control token: nothing without it; given once, kept for the session
    const g = await browser.newPage();
    const denied = await g.goto(guarded.url + "/ui/");
    check(denied.status() === 401, "without the control token the page is refused", denied.status());
    await g.goto(guarded.url + "/ui/?control_token=s3cret-control&account=dave", { waitUntil: "load" });
    check(await waitForText(g, "No workflow published yet."), "with it, the page works", await text(g));
    check(!g.url().includes("s3cret"), "the token is taken out of the address bar", g.url());
    await g.reload({ waitUntil: "load" });
    check(await waitForText(g, "No workflow published yet."), "a reload works without the token in the address", await text(g));
  } finally {
    await browser.close();
    mock.process.kill("SIGTERM");
    guarded.process.kill("SIGTERM");
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(failures ? failures + " check(s) failed" : "all checks passed");
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
