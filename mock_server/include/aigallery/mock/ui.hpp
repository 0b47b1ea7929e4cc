// The "My Assets" web page of the mock, at /ui/: the console's "My Gallery >
// My Assets > Workflow > My Publishes" for any account of the mock, so a
// person can see what a test or a release left behind. One HTML document
// with its CSS and JavaScript inside (no other request but the REST API's),
// under the rule of the control API: loopback peers only, or the control
// token.
#pragma once

#include <aigallery/http.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace aigallery::mock::ui {

/// Whether `target` is the page's (`/ui`, `/ui/...`, with or without a query).
inline bool is_ui_target(std::string_view target) noexcept {
    return target == "/ui" || target.starts_with("/ui/") || target.starts_with("/ui?");
}

/// The page: plain HTML, CSS and JavaScript, reading the REST API with the
/// token of the account chosen in it.
inline constexpr std::string_view page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>My Assets - aigallery mock</title>
<link rel="icon" href="data:,">
<style>
  :root { --ink: #1d2733; --mute: #5d6b7a; --line: #d9dfe6; --soft: #f3f6f9; --accent: #c7000b;
          --group: #0b6bcb; --public: #1a7f37; --private: #6e7781; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: var(--ink); background: #fff; }
  header { display: flex; align-items: center; gap: 16px; padding: 10px 24px;
           background: #1f2d3d; color: #fff; }
  header h1 { font-size: 16px; margin: 0; font-weight: 600; }
  header .spacer { flex: 1; }
  header label { font-size: 13px; color: #c9d3de; }
  header select, header button { font: inherit; padding: 3px 8px; }
  nav.crumbs { padding: 10px 24px 0; color: var(--mute); font-size: 13px; }
  nav.crumbs b { color: var(--ink); }
  nav.tabs { display: flex; gap: 4px; padding: 8px 24px 0; border-bottom: 1px solid var(--line); }
  nav.tabs button { font: inherit; border: 1px solid transparent; border-bottom: none; background: none;
                    padding: 6px 14px; cursor: pointer; color: var(--mute); border-radius: 4px 4px 0 0; }
  nav.tabs button[aria-selected="true"] { color: var(--ink); border-color: var(--line);
                                          background: #fff; margin-bottom: -1px; font-weight: 600; }
  main { padding: 16px 24px 40px; }
  .note { color: var(--mute); }
  .error { color: var(--accent); border: 1px solid var(--accent); padding: 8px 12px; border-radius: 4px; }
  .card { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 16px; }
  .card > h2 { font-size: 15px; margin: 0; padding: 10px 14px; background: var(--soft);
               border-bottom: 1px solid var(--line); display: flex; gap: 12px; align-items: baseline; }
  .card > h2 .id, .card > h2 .meta { font-weight: normal; color: var(--mute); font-size: 12px; }
  .card > h2 .meta { margin-left: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 14px; border-top: 1px solid var(--line); vertical-align: top; }
  th { font-size: 12px; color: var(--mute); font-weight: 600; border-top: none; }
  tr.flash { animation: flash 1.6s ease-out; }
  @keyframes flash { from { background: #fff3b0; } to { background: transparent; } }
  .vis { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; color: #fff; }
  .vis.private { background: var(--private); } .vis.group { background: var(--group); }
  .vis.public { background: var(--public); }
  a { color: var(--group); }
  code { font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1>AI Gallery <span style="font-weight:normal">(mock)</span></h1>
  <span class="spacer"></span>
  <label for="account">Account</label>
  <select id="account"><option value="">choose…</option></select>
  <button id="refresh" type="button">Refresh</button>
</header>
<nav class="crumbs" id="crumbs"></nav>
<nav class="tabs" role="tablist">
  <button type="button" role="tab" data-tab="workflow">Workflow</button>
  <button type="button" role="tab" data-tab="algorithm">Algorithm</button>
  <button type="button" role="tab" data-tab="shared">Shared with me</button>
</nav>
<main id="main"><p class="note">Loading…</p></main>
<script>
"use strict";
const TABS = { workflow: "Workflow", algorithm: "Algorithm", shared: "Shared with me" };
const ui = { accounts: [], names: new Map(), account: null, tab: "workflow", data: null };

// Elements are built with textContent only: titles and descriptions come from
// API callers and must never become markup.
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined)
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function getJSON(path, token) {
  const headers = token ? { "X-Auth-Token": token } : {};
  const r = await fetch(path, { headers, credentials: "same-origin", cache: "no-store" });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((body.error_code || r.status) + ": " + (body.error_msg || r.statusText) + " (" + path + ")");
  return body;
}

async function listAll(scope, type) {
  const items = [];
  for (let offset = 0; ; ) {
    let q = "/v1/aihub/contents?scope=" + scope + "&limit=100&offset=" + offset + "&sort_key=title&sort_dir=asc";
    if (type) q += "&content_type=" + type;
    const page = await getJSON(q, ui.account.token);
    items.push(...page.items);
    offset += page.count;
    if (page.count === 0 || offset >= page.total) return items;
  }
}

// Every asset with every version the account can see, and each version's details.
async function withVersions(items) {
  return Promise.all(items.map(async (item) => {
    const base = "/v1/aihub/contents/" + encodeURIComponent(item.content_id);
    const content = await getJSON(base, ui.account.token);
    const versions = await Promise.all(content.versions.map((v) =>
      getJSON(base + "/versions/" + encodeURIComponent(v.version_num), ui.account.token)));
    return { ...content, versions };
  }));
}

async function load() {
  const main = document.getElementById("main");
  if (!ui.account) { main.replaceChildren(h("p", { class: "note" }, "Choose an account to see its assets.")); return; }
  main.replaceChildren(h("p", { class: "note" }, "Loading the assets of " + ui.account.name + "…"));
  try {
    const [workflows, algorithms, shared] = await Promise.all([
      listAll("mine", "workflow").then(withVersions), listAll("mine", "algorithm").then(withVersions),
      listAll("shared").then(withVersions)]);
    ui.data = { workflows, algorithms, shared };
    render();
  } catch (e) {
    main.replaceChildren(h("p", { class: "error", id: "error" }, "Could not read the gallery: " + e.message));
  }
}

// Items separated by commas, as text, so that copying or reading the page keeps them apart.
const list = (items) => h("span", {}, items.flatMap((e, i) => (i ? [", ", e] : [e])));
const who = (id) => ui.names.get(id) || id;
const when = (t) => (t || "").replace("T", " ").replace(/:\d\dZ$/, " UTC");
const anchor = (cid, v) => "v-" + cid + "-" + v;

function titleOf(cid) {
  for (const list of Object.values(ui.data)) for (const a of list) if (a.content_id === cid) return a.title;
  return null;
}

function go(cid, v) {
  const id = anchor(cid, v);
  for (const tab of Object.keys(TABS)) {
    if (ui.data && tabAssets(tab).some((a) => a.content_id === cid)) { select(tab); break; }
  }
  const row = document.getElementById(id);
  if (row) { row.scrollIntoView({ block: "center" }); row.classList.remove("flash"); void row.offsetWidth; row.classList.add("flash"); }
}

function depLinks(deps) {
  if (!deps.length) return h("span", { class: "note" }, "none");
  return list(deps.map((d) => {
    const title = titleOf(d.content_id);
    const label = (title || d.content_id) + " " + d.version_num;
    if (!title) return h("span", { title: "not visible here" }, label);
    return h("a", { href: "#" + anchor(d.content_id, d.version_num),
                    onclick: (ev) => { ev.preventDefault(); go(d.content_id, d.version_num); } }, label);
  }));
}

function usedBy(cid, v) {
  const out = [];
  for (const w of ui.data.workflows) for (const wv of w.versions)
    if (wv.dependencies.some((d) => d.content_id === cid && d.version_num === v))
      out.push({ content_id: w.content_id, version_num: wv.version_num });
  return out;
}

function card(asset, mine) {
  const workflow = asset.content_type === "workflow";
  const head = ["Version", "Visibility", mine ? "Whitelist" : null, "Date",
                workflow ? "Algorithms it runs" : (mine ? "Used by" : null), "Description"].filter(Boolean);
  const rows = asset.versions.map((v) => h("tr", { id: anchor(asset.content_id, v.version_num) },
    h("td", {}, h("b", {}, v.version_num)),
    h("td", {}, h("span", { class: "vis " + v.visibility }, v.visibility)),
    mine ? h("td", { class: "users" }, v.visibility !== "group" ? h("span", { class: "note" }, "-")
         : (v.group_users || []).length ? list(
             [...v.group_users].sort((a, b) => who(a).localeCompare(who(b))).map((u) => h("span", { title: u }, who(u))))
         : h("span", { class: "note" }, "nobody")) : null,
    h("td", {}, when(v.created_at)),
    workflow ? h("td", {}, depLinks(v.dependencies))
             : mine ? h("td", {}, depLinks(usedBy(asset.content_id, v.version_num))) : null,
    h("td", {}, v.desc)));
  return h("section", { class: "card", "data-content-id": asset.content_id },
    h("h2", {}, asset.title, h("span", { class: "id" }, asset.content_type + " " + asset.content_id),
      h("span", { class: "meta" }, (mine ? "" : "by " + who(asset.owner) + " · ") + "latest " + asset.latest_version)),
    h("table", {}, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))), h("tbody", {}, rows)));
}

function tabAssets(tab) {
  return tab === "workflow" ? ui.data.workflows : tab === "algorithm" ? ui.data.algorithms : ui.data.shared;
}

function render() {
  const crumbs = document.getElementById("crumbs");
  crumbs.replaceChildren("My Gallery › ", tabs_label(), h("b", {}, ui.account ? " (" + ui.account.name + ")" : ""));
  for (const b of document.querySelectorAll("nav.tabs button"))
    b.setAttribute("aria-selected", String(b.dataset.tab === ui.tab));
  if (!ui.data) return;
  const main = document.getElementById("main");
  const assets = tabAssets(ui.tab);
  const mine = ui.tab !== "shared";
  const empty = mine ? "No " + ui.tab + " published yet." : "Nothing is shared with " + ui.account.name + ".";
  main.replaceChildren(h("p", { class: "note", id: "summary" },
      assets.length + (assets.length === 1 ? " asset" : " assets") + (mine ? ", newest versions first." : " shared with you by other accounts.")),
    ...(assets.length ? assets.map((a) => card(a, mine)) : [h("p", { class: "note" }, empty)]));
}

function tabs_label() {
  return ui.tab === "shared" ? "Shared with me" : "My Assets › " + TABS[ui.tab] + " › My Publishes";
}

function select(tab) {
  ui.tab = TABS[tab] ? tab : "workflow";
  history.replaceState(null, "", location.pathname + "#" + ui.tab);
  render();
}

function choose(name) {
  ui.account = ui.accounts.find((a) => a.name === name) || null;
  if (ui.account) sessionStorage.setItem("aigallery.account", ui.account.name);
  document.getElementById("account").value = ui.account ? ui.account.name : "";
  ui.data = null;
  render();
  load();
}

async function start() {
  const params = new URLSearchParams(location.search);
  // A control token given once in the address is kept by the server as a
  // session cookie; take it out of the address bar and the history.
  if (params.has("control_token")) params.delete("control_token");
  const wanted = params.get("account") || sessionStorage.getItem("aigallery.account");
  params.delete("account");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  ui.tab = TABS[location.hash.slice(1)] ? location.hash.slice(1) : "workflow";

  for (const b of document.querySelectorAll("nav.tabs button")) b.addEventListener("click", () => select(b.dataset.tab));
  document.getElementById("refresh").addEventListener("click", load);
  const picker = document.getElementById("account");
  picker.addEventListener("change", () => choose(picker.value));
  try {
    ui.accounts = (await getJSON("/ui/accounts")).items;
  } catch (e) {
    document.getElementById("main").replaceChildren(h("p", { class: "error", id: "error" }, "Could not read the accounts: " + e.message));
    return;
  }
  for (const a of ui.accounts) {
    ui.names.set(a.domain_id, a.name);
    picker.append(h("option", { value: a.name }, a.name));
  }
  choose(wanted || (ui.accounts.length === 1 ? ui.accounts[0].name : ""));
}
start();
</script>
</body>
</html>
)html";

/// What /ui/ answers. `accounts_json` gives `{"items": [{"name", "domain_id",
/// "token"}]}` (the body of GET /__mock/accounts), called only when asked.
///
/// Who may see it follows /__mock: without a control token, loopback peers
/// only (404 to others, as if there were nothing); with one, the token in
/// `X-Mock-Control-Token`, in the cookie this page sets, or once in the
/// page's address as `?control_token=...` (then kept as a session cookie,
/// HttpOnly and SameSite=Strict, so the browser alone sends it back).
inline http_response serve(http_request const& req, bool peer_is_loopback,
                           std::string const& control_token,
                           std::function<std::string()> const& accounts_json) {
    namespace bh = boost::beast::http;
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    std::string_view query =
        target.find('?') == std::string_view::npos ? "" : target.substr(target.find('?') + 1);

    auto answer = [&](bh::status status, std::string_view type, std::string body) {
        http_response r{status, req.version()};
        r.set(bh::field::content_type, type);
        r.set(bh::field::cache_control, "no-store");
        r.set("X-Content-Type-Options", "nosniff");
        r.body() = std::move(body);
        return r;
    };
    auto error = [&](bh::status status, std::string_view code, std::string_view msg) {
        return answer(status, "application/json",
                      std::string(R"({"error_code":")") + std::string(code) + R"(","error_msg":")" +
                          std::string(msg) + R"("})");
    };

    auto param = [&](std::string_view name) -> std::string_view {
        for (std::string_view q = query; !q.empty();) {
            auto amp = q.find('&');
            auto part = q.substr(0, amp);
            if (part.starts_with(name) && part.size() > name.size() && part[name.size()] == '=')
                return part.substr(name.size() + 1);
            q = amp == std::string_view::npos ? "" : q.substr(amp + 1);
        }
        return {};
    };
    auto cookie = [&](std::string_view name) -> std::string_view {
        auto it = req.find(bh::field::cookie);
        if (it == req.end())
            return {};
        std::string_view c = it->value();
        while (!c.empty()) {
            while (!c.empty() && c.front() == ' ')
                c.remove_prefix(1);
            auto semi = c.find(';');
            auto part = c.substr(0, semi);
            if (part.starts_with(name) && part.size() > name.size() && part[name.size()] == '=')
                return part.substr(name.size() + 1);
            c = semi == std::string_view::npos ? "" : c.substr(semi + 1);
        }
        return {};
    };

    constexpr std::string_view cookie_name = "aigallery_mock_control";
    bool from_address = false;
    if (control_token.empty()) {
        if (!peer_is_loopback)
            return error(bh::status::not_found, "ModelArts.4042", "no such route");
    } else {
        auto header = req.find("X-Mock-Control-Token");
        bool ok = header != req.end() && header->value() == control_token;
        ok = ok || cookie(cookie_name) == control_token;
        if (!ok && path != "/ui/accounts" && param("control_token") == control_token)
            ok = from_address = true;
        if (!ok)
            return error(bh::status::unauthorized, "APIG.0301",
                         "the page needs the control token: open /ui/?control_token=...");
    }

    if (req.method() != bh::verb::get) {
        auto r = error(bh::status::method_not_allowed, "ModelArts.4050", "the page is read only");
        r.set(bh::field::allow, "GET");
        return r;
    }
    if (path == "/ui") {  // so that the page's own address is always /ui/
        auto r = answer(bh::status::moved_permanently, "text/plain", "");
        r.set(bh::field::location,
              "/ui/" + std::string(query.empty() ? "" : "?") + std::string(query));
        return r;
    }
    if (path == "/ui/accounts")
        return answer(bh::status::ok, "application/json", accounts_json());
    if (path != "/ui/" && path != "/ui/index.html")
        return error(bh::status::not_found, "ModelArts.4042", "no such page");

    auto r = answer(bh::status::ok, "text/html; charset=utf-8", std::string(page));
    // Nothing from anywhere else, not even by mistake: the page is self-contained.
    r.set("Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
          "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
          "frame-ancestors 'none'");
    if (from_address)
        r.set(bh::field::set_cookie, std::string(cookie_name) + "=" + control_token +
                                         "; Path=/ui; HttpOnly; SameSite=Strict");
    return r;
}

}  // namespace aigallery::mock::ui
