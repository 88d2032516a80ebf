// micromix dashboard: small vanilla JavaScript over the REST API.
// The API key lives in sessionStorage (this tab only) and is sent as a Bearer token.
// Charts are Vega-Lite specs drawn by the locally served vega-embed (window.vegaEmbed).

const KEY = "micromix.key";
const page = document.body.dataset.page;
const $ = (id) => document.getElementById(id);
// symbol: the store's currency as GET /status states it ("" while unknown: never a guessed "$")
const state = { role: null, symbol: "" };
const TIERS = ["nano", "micro", "macro", "mega"];

function apiKey() { return sessionStorage.getItem(KEY); }

async function api(path, opts = {}) {
  const headers = { Authorization: "Bearer " + apiKey() };
  let body;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  const r = await fetch(path, { method: opts.method || (body ? "POST" : "GET"), headers, body });
  if (r.status === 401) {
    sessionStorage.removeItem(KEY);
    location.href = "/login?next=" + encodeURIComponent(location.pathname);
    throw new Error("not signed in");
  }
  const type = r.headers.get("content-type") || "";
  const data = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    const err = new Error((data && data.message) || r.statusText);
    err.status = r.status;
    err.data = data;
    throw err;
  }
  return data;
}

function showError(err) {
  const box = $("error");
  if (!box) return;
  box.hidden = false;
  box.textContent = err && err.message ? err.message : String(err);
}

// the sentence an API error carries
function why(err) { return served(err && err.message ? err.message : String(err)); }

// the domain's advice names CLI commands, which cannot open a store that 'micromix serve' holds:
// here it names the upload route instead (the same ingest), and never the demo, which would
// mix invented rows into a real store
function served(msg) {
  return String(msg)
    .replace(/run micromix ingest or micromix demo first/g,
      "upload a file first (POST /api/v1/ingest/{kind}, e.g. ads or events)")
    .replace(/,? ?\(or run micromix demo\)/g, "")
    .replace(/ or run micromix demo( first)?/g, "")
    .replace(/'?micromix ingest (\w+) FILE'?/g, "POST /api/v1/ingest/$1")
    .replace(/\bingest (\w+ )?(with |first )?(\(?POST \/api)/g, "upload $1$2$3")
    .replace(/\bingest events$/, "upload events with POST /api/v1/ingest/events");
}

// a hint in place of a chart, table or tiles that cannot be drawn
function hintIn(id, text) { $(id).replaceChildren(el("p", { class: "hint", text })); }

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const MONEY = new Set(["spend", "revenue", "cpa", "cpc", "cpm", "emv", "cost", "budget",
  "est_cost_per_post", "cumulative_cost", "predicted_cpa", "predicted_cpc", "predicted_cpm",
  "outcome", "outcome_lo", "outcome_hi", "contribution", "contribution_lo", "contribution_hi"]);
const RATE = new Set(["ctr", "cvr", "engagement_rate", "predicted_ctr", "authenticity", "fit", "share", "bounce_rate",
  "share_of_outcome", "confidence", "engagement_rate_shrunk"]);

// one colour per strategy on every chart, from the Okabe-Ito colour-blind-safe palette: no two
// strategies alike (paid_social blue, search orange), unknown strategies in greys
const STRATEGY_COLORS = { paid_social: "#0072B2", search: "#E69F00", influencer: "#CC79A7",
  ugc_amplified: "#D55E00", ugc_organic: "#009E73", email: "#56B4E9", direct: "#5b6472", other: "#999999" };
function strategyScale(names) {
  const domain = [...new Set(names)].sort();
  const greys = ["#7f7f7f", "#b0b0b0", "#4d4d4d", "#c8c8c8"];
  let g = 0;
  return { domain, range: domain.map((n) => STRATEGY_COLORS[n] || greys[g++ % greys.length]) };
}
// sentiment: positive blue, negative vermillion (never positive in red), neutral grey
const SENTIMENT_SCALE = { domain: ["positive", "neutral", "negative"], range: ["#0072B2", "#999999", "#D55E00"] };

const SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥" };
// the symbol of an ISO currency code (the code itself where there is no common symbol)
function symbolOf(code) { return SYMBOLS[code] || code; }

// money with its currency, the sign first: -$885.58 (sym: a row's own currency, else the page's);
// an amount whose currency is unknown has no symbol, and the page says why once
function money(v, digits = 2, sym = state.symbol) {
  if (v === null || v === undefined || typeof v !== "number" || !isFinite(v)) return "–";
  if (!sym) unknownCurrency();
  const body = Math.abs(v).toLocaleString(undefined, { minimumFractionDigits: digits,
    maximumFractionDigits: digits });
  const sign = v < 0 && Number(body.replace(/,/g, "")) > 0 ? "-" : "";
  return sign + sym + (sym.length > 1 ? " " : "") + body;
}

function unknownCurrency() {
  const note = $("money-note");
  if (!note || !note.hidden) return;
  note.textContent = "Amounts without a currency symbol are in a currency the data does not " +
    "state (events record none); micromix shows them as they are rather than guess one.";
  // (an amount whose source states no currency at all, e.g. a GA4 report's revenue, is labelled
  // "currency not stated" where it stands and does not call this)
  note.hidden = false;
}

// the currencies a KPI response's money is split by (money is never added across them)
function currencies(rows) { return [...new Set(rows.map((r) => r.currency).filter((c) => c))].sort(); }

function fmt(v, col, row) {
  if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "–";
  if (typeof v === "number") {
    if (RATE.has(col)) return (100 * v).toFixed(2) + "%";
    if (MONEY.has(col)) {
      // a row's own currency ("" where its source states none), else the page's
      return money(v, Math.abs(v) >= 1000 ? 0 : 2, row && typeof row.currency === "string" ? symbolOf(row.currency) : state.symbol);
    }
    if (Number.isInteger(v)) return v.toLocaleString();
    return Math.abs(v) >= 100 ? v.toLocaleString(undefined, { maximumFractionDigits: 1 })
      : v.toPrecision(3);
  }
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (Array.isArray(v)) return v.join("; ");
  const s = String(v);
  const iso = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?Z?$/.exec(s);
  if (!iso) return s;
  return iso[2] === "00:00" ? iso[1] : iso[1] + " " + iso[2];
}

function table(target, rows, cols, opts = {}) {
  const node = typeof target === "string" ? $(target) : target;
  node.replaceChildren();
  if (!rows || !rows.length) {
    node.append(el("p", { class: "hint", text: opts.empty || "No rows." }));
    return;
  }
  // opts.detail: a long text column (reasons) shown as a full-width line under each row, so
  // the figures fit the card at 1280px instead of scrolling behind a squeezed text column
  const columns = (cols || Object.keys(rows[0])).filter((c) => c in rows[0] && c !== opts.detail);
  const label = (c) => (opts.labels && opts.labels[c]) || c.replaceAll("_", " ");
  const t = el("table");
  // a long head (a GA4 dimension's full name) wraps at its spaces instead of widening its
  // column until the last columns scroll out of the card at 1280px
  t.append(el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", label(c).length > 18
    ? { text: label(c), class: "wrap" } : { text: label(c) })))));
  const tb = el("tbody");
  for (const r of rows.slice(0, opts.max || 200)) {
    tb.append(el("tr", opts.detail ? { class: "has-detail" } : {}, ...columns.map((c) => {
      const text = fmt(r[c], c, r);
      const cls = (opts.classes && opts.classes[c]) || (text.length > 60 ? "long" : "");
      return el("td", cls ? { text, class: cls } : { text });
    })));
    if (opts.detail && r[opts.detail] != null) {
      const td = el("td", { class: "detail", text: fmt(r[opts.detail], opts.detail, r) });
      td.colSpan = columns.length;
      tb.append(el("tr", {}, td));
    }
  }
  t.append(tb);
  node.append(el("div", { class: "scroll" }, t));
}

async function vegaReady() {
  for (let i = 0; i < 200 && !window.vegaEmbed; i++) await new Promise((r) => setTimeout(r, 25));
  if (!window.vegaEmbed) throw new Error("the chart library did not load");
}

async function chart(id, spec) {
  await vegaReady();
  const full = Object.assign({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container", height: 260, autosize: { type: "fit", contains: "padding" },
    // x labels keep apart at any width: about one tick per 90px and, where labels would still
    // touch (long ones), every other one is dropped rather than printed over its neighbour
    config: { font: "system-ui, sans-serif", view: { stroke: null },
      axisX: { tickCount: { expr: "ceil(width / 90)" }, labelOverlap: true, labelSeparation: 8 } },
  }, spec);
  return window.vegaEmbed($(id), full, { actions: false, renderer: "svg" });
}

function tile(label, value, col, row) {
  return el("div", { class: "tile" }, el("div", { class: "label", text: label }),
    el("div", { class: "value", text: fmt(value, col, row) }));
}

// reach summed over several rows (days, regions, ages) counts a person once per row: the API
// flags it (reach_is_upper_bound) and the tile says "≤" and "upper bound", as the report does
function reachTile(label, t) {
  if (!t.reach_is_upper_bound || typeof t.reach !== "number") return tile(label, t.reach);
  const node = tile(label + " (upper bound)", t.reach);
  node.querySelector(".value").textContent = "≤\u00a0" + fmt(t.reach);
  node.title = "The sum of the reach the rows report; a person reached on several days, " +
    "regions or ages is counted once per row, so the true reach is at most this.";
  return node;
}

// ------------------------------------------------------------------ header
async function header() {
  const s = await api("/api/v1/status");
  state.role = s.role;
  state.symbol = s.currency ? symbolOf(s.currency) : "";
  state.brand = s.brand || null;
  state.posts = (s.tables && s.tables.posts) || 0;
  $("role").textContent = s.role + " key";
  // the badge stays short so the navigation keeps to one line; the full label is its tooltip
  // (and the banner under the header says what the simulation is)
  const badge = s.mixed ? "Simulated + real (mixed)" : "Demo data";
  $("data-label").textContent = s.simulated ? badge : s.data;
  $("data-label").title = s.simulated ? badge + ": " + s.data : s.data;
  $("data-label").classList.toggle("sim", !!s.simulated);
  const banner = $("sim-banner");
  const market = String(s.data).replace(/^.*simulated market \(([^)]*)\).*$/, "$1");
  if (banner && s.mixed) {
    // real data was ingested into the simulated market on purpose (mix_with_demo=true)
    banner.textContent = "Simulated data mixed with real data (simulated + real, mixed): " +
      "this store holds micromix's simulated market (" + market + ") and real data " +
      "ingested into it; every figure on these pages may add both, so none is a real " +
      "brand's result. Keep real data in a store of its own (micromix serve --no-demo).";
    banner.hidden = false;
  } else if (banner && s.simulated) {
    banner.textContent = "Simulated data: everything on these pages comes from micromix's " +
      "market simulator (" + market + "), not from a real brand; the 'true' figures are the " +
      "simulator's ground truth.";
    banner.hidden = false;
  }
  $("logout").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    location.href = "/login";
  });
  return s;
}

const ranks = { viewer: 0, analyst: 1, admin: 2 };
const can = (role) => ranks[state.role] >= ranks[role];

// ------------------------------------------------------------------ pages
const pages = {};

const active = (r) => (r.spend || 0) > 0 || (r.impressions || 0) > 0;

function cellWithInterval(v, lo, hi, f) {
  const node = el("span", { class: "cell" }, f(v));
  if (lo !== null && lo !== undefined && hi !== null && hi !== undefined && isFinite(v)) {
    node.append(el("br"), el("small", { text: f(lo) + " to " + f(hi) }));
  }
  return node;
}

function gridTable(target, head, rows) {
  const node = $(target);
  node.replaceChildren();
  const t = el("table");
  t.append(el("thead", {}, el("tr", {}, ...head.map(([h, num]) => el("th", num ? { class: "num", text: h } : { text: h })))));
  const tb = el("tbody");
  for (const r of rows) {
    tb.append(el("tr", {}, ...r.map((c, i) => el("td", head[i][1] ? { class: "num" } : {}, c))));
  }
  t.append(tb);
  node.append(el("div", { class: "scroll" }, t));
}

function renderPlan(plan) {
  // the plan's figures are in the plan's own currency (it names it); the page's stays the store's
  const sym = plan.currency ? symbolOf(plan.currency) : "";
  $("plan-headline").textContent = plan.headline;
  const r2 = (v) => money(v, 0, sym);
  const signed = (v) => (v > 0 ? "+" : "") + money(v, 0, sym);
  gridTable("plan-table", [["strategy"], ["today", 1], ["plan", 1], ["change", 1],
    ["expected incremental revenue", 1]], plan.allocation.map((a) => [
    a.strategy, r2(a.current_spend), r2(a.recommended_spend), signed(a.recommended_spend - a.current_spend),
    cellWithInterval(a.expected_incremental_revenue, a.low, a.high, r2)]));
  const list = $("plan-actions");
  list.replaceChildren(...plan.actions.map((a) => {
    const eff = a.effect !== null && a.effect_low !== null && a.effect_high !== null
      ? ` Expected ${signed(a.effect)} (${r2(a.effect_low)} to ${r2(a.effect_high)}).` : "";
    return el("li", {}, el("span", { class: "kind", text: a.kind }), el("b", { text: a.what + "." }),
      eff + " ", el("span", { class: "conf " + a.confidence, text: a.confidence + " confidence" }),
      el("div", { class: "why", text: "Why: " + a.why + " Evidence: " + a.evidence + "." }));
  }));
  if (plan.truth) {
    const t = plan.truth;
    const cap = t.captured_share_of_optimal_gain;
    $("plan-truth").textContent = `Simulator truth over ${plan.horizon_days} days, same budget: current mix ` +
      `${r2(t.current_incremental_revenue)}, this plan ${r2(t.recommended_incremental_revenue)}, best possible ` +
      `split ${r2(t.optimal_incremental_revenue)} of incremental revenue` +
      (cap === null ? "; today's split is already the best." : `; the plan captures ${(100 * cap).toFixed(0)}% of the possible gain.`);
    $("plan-truth").hidden = false;
  }
  $("plan-notes").replaceChildren(...plan.notes.map((n) => el("li", { text: n })));
}

// spend and revenue per day by strategy (unit: the currency the axis names). Straight lines
// from day to day: a smoothed curve would invent values between days. Money in several
// currencies is never drawn on one axis: one chart per currency. Rows at several report levels
// (campaign, ad) are separate lines, told apart by their points' shape.
async function drawTrend(rows, unit, mixed) {
  const groups = mixed ? currencies(rows).map((c) => [c, rows.filter((r) => r.currency === c)]) : [[null, rows]];
  const box = $("trend-chart");
  box.replaceChildren();
  for (const [i, [code, all]] of groups.entries()) {
    const part = all.filter((r) => r.period);
    if (!part.length) {  // an "All time" export: its rows have no day to be drawn on
      box.append(el("p", { class: "hint", text: (code ? "In " + code + ": no" : "No") +
        " daily trend: the ad rows carry no dates." }));
      continue;
    }
    const levelled = new Set(part.map((r) => r.level).filter((l) => l)).size > 1;
    box.append(el("div", { class: "chart", id: "trend-chart-" + i }));
    const color = { field: "strategy", type: "nominal", scale: strategyScale(part.map((r) => r.strategy)) };
    const tooltip = [{ field: "period", type: "temporal" }, { field: "strategy", type: "nominal" },
      ...(levelled ? [{ field: "level", type: "nominal" }] : []),
      { field: "measure", type: "nominal" }, { field: "amount", type: "quantitative", format: ",.0f" }];
    const line = { mark: { type: "line", interpolate: "linear" }, encoding: { color, tooltip,
      strokeDash: { field: "measure", type: "nominal" },
      ...(levelled ? { detail: { field: "level", type: "nominal" } } : {}) } };
    // each level's days as points of their own shape, so its line can be told from the other's
    const points = { mark: { type: "point", filled: true, size: 30 }, encoding: { color, tooltip,
      shape: { field: "level", type: "nominal", title: "report level" } } };
    await chart("trend-chart-" + i, {
      data: { values: part.map((r) => ({ ...r, level: r.level || "other" })) },
      ...(code ? { title: { text: "in " + code, anchor: "start", fontSize: 13 } } : {}),
      transform: [{ fold: ["spend", "revenue"], as: ["measure", "amount"] }],
      encoding: {
        x: { field: "period", type: "temporal", title: null, axis: dayAxis(part.map((r) => r.period)) },
        y: { field: "amount", type: "quantitative", title: "per day (" + (code || unit) + ")" },
      },
      layer: levelled ? [line, points] : [line],
    });
  }
}

// the x axis of a chart of whole days: ticks on days only, never "12 PM" between two days of a
// short export. Fewer days than the ~90px ticks the width allows: a tick on every day; more:
// the width's tick count, whose ticks are then a day apart or more
function dayAxis(periods) {
  const t = periods.map((p) => Date.parse(p)).filter((v) => isFinite(v));
  const days = t.length ? Math.round((t.reduce((a, b) => Math.max(a, b)) -
    t.reduce((a, b) => Math.min(a, b))) / 864e5) : 0;
  return { tickCount: { expr: `${days} < ceil(width / 90) ? {interval: 'day'} : ceil(width / 90)` } };
}

// ad rows covering several days have no daily figures: say so in the page's terms and offer to
// spread them evenly over their days (the API's spread=true), marked as shares when drawn
function trendRefused(info, trend) {
  const n = Number(info.crossing_rows).toLocaleString();
  const ex = info.example ? " (e.g. " + info.example + ")" : "";
  const btn = el("button", { type: "button", id: "spread-btn", text: "Spread them evenly over their days" });
  $("trend-chart").replaceChildren(el("p", { class: "hint", text: `No daily trend: ${n} ad row(s) ` +
    `cover more than one day${ex}, so their spend and revenue cannot be drawn per day. The tiles ` +
    "and tables above count them whole. Ingest daily ad reports (one row per day) for a true " +
    "daily trend, or spread these rows evenly over their days:" }), btn);
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    try {
      const res = await api("/api/v1/kpis?by=strategy&grain=day&spread=true");
      await trend(res);
      $("trend-chart").before(el("p", { class: "hint", id: "spread-note", text: `${n} ad row(s) ` +
        "covering more than one day are spread evenly over their days: those days show shares, " +
        "not reported figures." }));
    } catch (err) {
      btn.disabled = false;
      showError(err);
    }
  });
}

pages.overview = async () => {
  const planP = api("/api/v1/plan").then(renderPlan).catch((err) => {
    $("plan-headline").textContent = "No plan: " + why(err);
  });
  const incrP = api("/api/v1/comparisons/ugc-vs-paid").catch((err) => {
    hintIn("incr-chart", "No incremental returns: " + why(err));
    return null;
  }).then((res) => {
    if (!res) return null;
    const rows = res.rows.filter((r) => r.incremental_roas !== null && r.incremental_roas !== undefined);
    const long = [];
    for (const r of rows) {
      long.push({ strategy: r.strategy, series: "incremental ROAS (holdouts)", value: r.incremental_roas,
        low: r.incremental_roas_low, high: r.incremental_roas_high });
      if (r.roas !== null) long.push({ strategy: r.strategy, series: "attributed ROAS (platforms)", value: r.roas });
    }
    const series = ["incremental ROAS (holdouts)", "attributed ROAS (platforms)"];
    const color = { field: "series", type: "nominal", title: null, scale: { domain: series, range: ["#2a6df4", "#e08a1e"] },
      legend: { orient: "bottom" } };
    return chart("incr-chart", {
      data: { values: long }, height: 40 + 40 * rows.length,
      layer: [
        { mark: { type: "rule", strokeWidth: 2 }, transform: [{ filter: "isValid(datum.low)" }],
          encoding: { y: { field: "strategy", type: "nominal", title: null },
            yOffset: { field: "series", type: "nominal", scale: { domain: series } },
            x: { field: "low", type: "quantitative", title: "revenue per unit of spend" }, x2: { field: "high" }, color } },
        { mark: { type: "point", filled: true, size: 80 },
          encoding: { y: { field: "strategy", type: "nominal" },
            yOffset: { field: "series", type: "nominal", scale: { domain: series } },
            x: { field: "value", type: "quantitative" }, color,
            tooltip: [{ field: "strategy", type: "nominal" }, { field: "series", type: "nominal" },
              { field: "value", type: "quantitative", format: ".2f" }, { field: "low", type: "quantitative", format: ".2f" },
              { field: "high", type: "quantitative", format: ".2f" }] } },
      ],
    });
  });
  const trafficP = renderTraffic().catch((err) => {
    $("traffic-card").hidden = false;
    hintIn("traffic-reports", "No web-analytics reports: " + why(err));
  });
  // each block on its own: one that cannot be computed (ad rows that cover a month have no
  // daily trend) says why in its own place and the others still show
  const [tot, daily, plat, strat] = await Promise.all([
    "/api/v1/kpis", "/api/v1/kpis?by=strategy&grain=day", "/api/v1/kpis?by=platform",
    "/api/v1/kpis?by=strategy"].map((path) => api(path).catch((err) => ({ rows: [], error: why(err),
    data: err.data }))));
  if (tot.error) hintIn("tiles", "No KPIs: " + tot.error);
  // ad reports in several currencies: every figure per currency, never added up
  const codes = currencies(tot.rows);
  const mixed = codes.length > 1;
  // ad reports at several levels (campaign, ad) are never added up: one block each
  const levels = new Set(tot.rows.map((r) => r.level).filter((l) => l));
  // the page's money is in the data's own currency (the plan, which says it too, may come later)
  if (mixed) state.symbol = "";
  else if (codes.length === 1) state.symbol = symbolOf(codes[0]);
  if (!tot.error) $("tiles").replaceChildren(...(tot.rows.length ? tot.rows : [{}]).flatMap((t) => {
    const tag = (mixed ? " · " + t.currency : "") + (levels.size > 1 ? " · " + (t.level || "other") + " level" : "");
    return [tile("Spend" + tag, t.spend, "spend", t), tile("Revenue (all, attributed)" + tag, t.revenue, "revenue", t),
      tile("ROAS (attributed)" + tag, t.roas, "roas"), reachTile("Reach" + tag, t), tile("CTR" + tag, t.ctr, "ctr"),
      tile("CPA (attributed)" + tag, t.cpa, "cpa", t), tile("Engagement rate" + tag, t.engagement_rate, "engagement_rate"),
      tile("Earned media value" + tag, t.emv, "emv", t)];
  }));
  const busy = new Set(strat.rows.filter((r) => r.strategy && active(r)).map((r) => r.strategy));
  const unit = mixed ? "each line's currency" : state.symbol || "currency not stated";
  const trend = (res) => drawTrend(res.rows.filter((r) => busy.has(r.strategy)), unit, mixed);
  if (daily.data && daily.data.crossing_rows) trendRefused(daily.data, trend);
  else if (daily.error) hintIn("trend-chart", "No daily trend: " + daily.error);
  else await trend(daily);
  // a platform's ROAS needs revenue: exports without a conversion value have none to draw
  // a platform reported at several levels (campaign, ad) has a bar per level, each named
  const platName = (r) => r.platform + (mixed ? " in " + r.currency : "");
  const seen = {};
  for (const r of plat.rows) seen[platName(r)] = (seen[platName(r)] || 0) + 1;
  const platRows = plat.rows.filter((r) => r.platform && (r.spend || 0) > 0 && typeof r.roas === "number")
    .map((r) => ({ ...r, platform: platName(r) + (seen[platName(r)] > 1 ? " (" + (r.level || "other") + " level)" : "") }));
  if (plat.error) hintIn("platform-chart", "No KPIs by platform: " + plat.error);
  else if (!platRows.length) {
    hintIn("platform-chart", "No ROAS by platform: no platform with spend reports revenue " +
      "(a conversion value) in the ad reports.");
  } else await chart("platform-chart", {
    data: { values: platRows },
    mark: "bar",
    encoding: {
      y: { field: "platform", type: "nominal", sort: "-x", title: null },
      x: { field: "roas", type: "quantitative", title: "ROAS (attributed)" },
      tooltip: [{ field: "platform", type: "nominal" }, { field: "roas", type: "quantitative", format: ".2f" },
        { field: "spend", type: "quantitative", format: ",.0f", title: mixed ? "spend" : "spend (" + unit + ")" },
        ...(mixed ? [{ field: "currency", type: "nominal" }] : [])],
    },
  });
  // rows at several report levels (campaign, ad) are never added up: the level tells them apart
  const stratRows = strat.rows.filter((r) => r.strategy && active(r));
  const stratLevels = new Set(stratRows.map((r) => r.level).filter((l) => l)).size > 1;
  const order = (r) => [r.strategy, r.currency || "", r.level || ""].join("\u0000");
  stratRows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  table("strategy-table", stratRows, ["strategy", ...(mixed ? ["currency"] : []),
    ...(stratLevels ? ["level"] : []), "spend", "impressions", "ctr", "cpa", "roas", "engagement_rate", "emv"],
  { empty: strat.error ? "No KPIs by strategy: " + strat.error : "No strategy has spend or impressions." });
  await Promise.all([planP, incrP, trafficP]);
};

// each ingested GA4 / UA report: its period and totals, then its leading rows
async function renderTraffic() {
  const res = await api("/api/v1/traffic?top=10");
  if (!res.reports.length) return;
  $("traffic-card").hidden = false;
  $("traffic-reports").replaceChildren(...res.reports.map((r) => {
    const period = r.first_day === r.last_day ? r.first_day : r.first_day + " to " + r.last_day;
    // revenue in a currency the report states has its symbol; one the file does not state (GA4
    // downloads name none) is a bare number labelled "currency not stated", never a symbol
    const unstated = "revenue (currency not stated)";
    const revName = (m) => (m === "revenue" && !r.currency ? unstated : m);
    const amount = (v) => (typeof v === "number" && isFinite(v)
      ? v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : fmt(v));
    const totals = Object.entries(r.totals).map(([m, v]) => revName(m).replaceAll("_", " ") + " " +
      (m !== "revenue" ? fmt(v) : r.currency ? fmt(v, "revenue", { currency: r.currency }) : amount(v)))
      .join(", ");
    const box = el("div", { class: "table" });
    const dim = r.dimension || "value";  // the report's own dimension heads its first column
    const rows = r.table.map(({ dimension_value: v, ...rest }) => ({ [dim]: v,
      ...Object.fromEntries(Object.entries(rest).map(([c, x]) => (revName(c) === unstated
        ? [unstated, amount(x)] : [c, x]))),
      currency: r.currency || "" }));
    table(box, rows, [dim, ...Object.keys(r.table[0] || {}).filter((c) => c !== "dimension_value")
      .map(revName)]);
    return el("div", {}, el("h3", { text: r.report }), ...(r.note ? [el("p", { class: "hint", text: r.note })] : []),
      el("p", { class: "hint", text: (r.property ? r.property + " · " : "") + period + " · " +
        r.rows.toLocaleString() + " rows by " + r.dimension + (totals ? "; totals: " + totals : "") }),
      box);
  }));
}

pages.compare = async () => {
  const list = await api("/api/v1/comparisons");
  const box = $("comparisons");
  box.replaceChildren();
  let i = 0;
  for (const c of list) {
    const id = "cmp-" + i++;
    const card = el("section", { class: "card" }, el("h2", { text: c.question }),
      el("p", { class: "conclusion", id: id + "-text", text: "computing…" }),
      el("div", { class: "chart", id: id + "-chart" }), el("div", { class: "table", id: id + "-table" }));
    box.append(card);
  }
  await Promise.all(list.map(async (c, k) => {
    const id = "cmp-" + k;
    let res;
    try {
      res = await api("/api/v1/comparisons/" + encodeURIComponent(c.lookup_name));
    } catch (err) {
      // a comparison the store cannot answer (no events yet) says why in its own card; the
      // others still show
      if (err.status === undefined) throw err;
      $(id + "-text").textContent = "Not computed: " + why(err);
      $(id + "-text").classList.add("hint");
      $(id + "-chart").remove();
      $(id + "-table").remove();
      return;
    }
    $(id + "-text").textContent = res.conclusion;
    const rows = res.rows;
    const group = rows.length && c.dimension in rows[0] ? c.dimension
      : Object.keys(rows[0] || {}).find((k2) => typeof rows[0][k2] === "string");
    const hasInc = rows.some((r) => r.incremental_roas !== null && r.incremental_roas !== undefined);
    const y = hasInc ? "incremental_roas" : "roas";
    const order = c.dimension === "creator_tier" ? TIERS : rows.map((r) => r[group]);
    const ySpec = { field: group, type: "nominal", title: null, sort: order };
    const layers = [{
      mark: { type: "point", filled: true, size: 90 },
      encoding: { y: ySpec,
        x: { field: y, type: "quantitative", title: hasInc ? "incremental ROAS (interval)" : "ROAS" },
        tooltip: [{ field: group, type: "nominal" },
          { field: y, type: "quantitative", format: ".2f" },
          { field: "incremental_roas_low", type: "quantitative", format: ".2f", title: "low" },
          { field: "incremental_roas_high", type: "quantitative", format: ".2f", title: "high" },
          { field: "roas", type: "quantitative", format: ".2f", title: "attributed ROAS" }] },
    }];
    if (hasInc) {
      layers.unshift({ mark: "rule", encoding: { y: ySpec,
        x: { field: "incremental_roas_low", type: "quantitative" }, x2: { field: "incremental_roas_high" } } });
    }
    await chart(id + "-chart", { data: { values: rows }, height: 40 + 30 * rows.length, layer: layers });
    const hasTruth = rows.some((r) => r.true_incremental_roas !== null && r.true_incremental_roas !== undefined);
    const r2 = (v) => (v === null || v === undefined || !isFinite(v) ? "–" : v.toFixed(2));
    const head = [[group.replaceAll("_", " ")], ["spend", 1], ["incremental ROAS", 1]];
    if (hasTruth) head.push(["true incremental ROAS", 1]);
    head.push(["measurability"], ["attributed ROAS", 1], ["CTR", 1], ["CPA (attributed)", 1]);
    gridTable(id + "-table", head, rows.map((r) => {
      const m = String(r.measurability || "").split(":");
      const cells = [r[group], money(r.spend, 0),
        cellWithInterval(r.incremental_roas, r.incremental_roas_low, r.incremental_roas_high, r2)];
      if (hasTruth) cells.push(r2(r.true_incremental_roas));
      cells.push(el("span", {}, m[0], el("br"), el("small", { text: (m[1] || "").trim() })),
        cellWithInterval(r.roas, r.roas_low, r.roas_high, r2), fmt(r.ctr, "ctr"),
        (r.spend || 0) > 0 ? money(r.cpa) : "–");
      return cells;
    }));
  }));
};

async function readSSE(path, onEvent, signal) {
  const r = await fetch(path, { headers: { Authorization: "Bearer " + apiKey() }, signal });
  if (!r.ok) throw new Error("the live feed answered " + r.status);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let ev = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) ev = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) onEvent(ev, JSON.parse(data));
    }
  }
}

pages.moments = async () => {
  const feed = $("feed");
  const ctl = new AbortController();
  window.addEventListener("pagehide", () => ctl.abort());
  const onMoment = (ev, m) => {
    if (ev !== "moment") return;
    const when = String(m.ts || "").replace("T", " ").slice(0, 16);
    feed.prepend(el("li", {}, el("span", { class: "pill m-" + (m.moment || "other"), text: m.moment || "?" }),
      el("span", { class: "q", text: m.query || "" }),
      el("small", { text: [when, m.platform, m.device, m.region].filter(Boolean).join(" · ") })));
    while (feed.children.length > 60) feed.lastChild.remove();
  };
  const live = async () => {
    for (;;) {
      $("feed-state").textContent = "live";
      try {
        await readSSE("/api/v1/moments/feed?backlog=30&interval=1&max_seconds=300", onMoment, ctl.signal);
      } catch (e) {
        if (ctl.signal.aborted) return;
        $("feed-state").textContent = "reconnecting";
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  live();
  $("classify-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("classify-notes").replaceChildren();
    try {
      const res = await api("/api/v1/moments/classify", { json: { texts: [$("classify-text").value] } });
      table("classify-out", res.rows, ["text", "moment", "confidence"]);
      // why the model has little to go on (no word it learnt, no rule fired), as the CLI says;
      // text nodes only: a note may quote what the user typed
      $("classify-notes").replaceChildren(...(res.notes || []).map((n) => el("li", { text: n })));
    } catch (err) { showError(err); }
  });
  const [summary, bursts] = await Promise.all([api("/api/v1/moments/summary"),
    api("/api/v1/moments/bursts?freq=1h&by=moment")]);
  if (!summary.rows.length) {
    hintIn("moment-chart", "No searches in the store yet: upload search events or a query log " +
      "with POST /api/v1/ingest/events.");
  } else await chart("moment-chart", {
    data: { values: summary.rows.map((r) => ({ ...r, moment: r.moment || "unknown" })) },
    mark: "bar",
    encoding: { y: { field: "moment", type: "nominal", sort: "-x", title: null },
      x: { field: "searches", type: "quantitative", aggregate: "sum", title: "searches" },
      color: { field: "device", type: "nominal" },
      tooltip: [{ field: "moment", type: "nominal" }, { field: "device", type: "nominal" },
        { field: "searches", type: "quantitative" }] },
  });
  const found = bursts.bursts.filter((b) => b.kind === "burst");
  table("burst-table", found.slice(-30).reverse(), ["key", "start", "end", "observed", "expected", "score"],
    { empty: "No bursts in the searches." });
};

pages.content = async () => {
  const form = $("brand-form");
  const input = $("brand-input");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (form.reportValidity()) rankPosts(input.value.trim()).catch(showError);
  });
  // the store's own brand (GET /status); posts but no brand known: ask, never rank for another
  // brand (no posts at all: the API says so in its place)
  if (!state.brand && state.posts > 0) {
    const ask = "Enter your brand above to rank the customer posts that mention it: on real " +
      "data micromix does not guess the brand from the posts' mentions.";
    hintIn("ugc-chart", ask);
    hintIn("ugc-table", ask);
    input.focus();
    return;
  }
  input.value = state.brand || "";
  await rankPosts(state.brand);
};

async function rankPosts(brand) {
  let res;
  try {
    res = await api("/api/v1/social/amplify?top=25" + (brand ? "&brand=" + encodeURIComponent(brand) : ""));
  } catch (err) {
    if (err.status === undefined) throw err;
    hintIn("ugc-chart", "No posts to rank: " + why(err));
    hintIn("ugc-table", "No posts to rank: " + why(err));
    return;
  }
  const rows = res.rows;
  $("brand-input").value = res.brand;
  // what the ranking left out or assumed (organisation accounts, the default benchmark, the
  // per-author cap), one line each, as the CLI prints them
  $("ugc-notes").replaceChildren(...(res.notes || []).map((n) => el("li", { text: n })));
  const none = `No user posts mention ${res.brand} yet.`;
  if (!rows.length) hintIn("ugc-chart", none);
  else await chart("ugc-chart", {
    data: { values: rows.slice(0, 15) }, height: 320, mark: "bar",
    encoding: { y: { field: "post_id", type: "nominal", sort: "-x", title: null },
      x: { field: "amplification_score", type: "quantitative", title: "amplification score" },
      color: { field: "sentiment", type: "nominal", scale: SENTIMENT_SCALE },
      tooltip: [{ field: "post_id", type: "nominal" }, { field: "author_id", type: "nominal" },
        { field: "text", type: "nominal" },
        { field: "amplification_score", type: "quantitative", format: ".2f" }] },
  });
  // rights in words (1: recorded, 0: none recorded, so ask the author); the reasons on a line
  // of their own under each post, so the figures fit the card at 1280px
  // predicted CPA in the ranking's own currency (the default benchmark's: USD), as the CLI says
  // caveats (comparison, passing mention, hashtag bait) as the CLI and the API give them: a
  // narrow column that wraps, so the row still fits the card at 1280px
  const shown = rows.map((r) => ({ ...r, currency: res.currency || "", rights: typeof r.rights === "number"
    ? (r.rights >= 1 ? "recorded" : "none recorded") : r.rights, caveats: r.caveats || "none" }));
  table("ugc-table", shown, ["post_id", "author_id", "text", "sentiment", "caveats", "rights",
    "amplification_score", "predicted_ctr", "predicted_cpa", "reasons"], { empty: none, detail: "reasons",
    classes: { caveats: "caveats" },
    labels: { post_id: "post", author_id: "author", amplification_score: "score",
      predicted_ctr: "predicted CTR", predicted_cpa: "predicted CPA" } });
}

// creator prices are estimated per post in US dollars, whatever the store's currency
const CREATOR_PRICES = { currency: "USD" };

// the same budget on each cohort, one column per cohort and one row per figure: two cohorts by
// ten figures fit a half-width card, where ten columns would be clipped
function cohortTable(cohorts) {
  if (!cohorts || !cohorts.length) {
    hintIn("cohort-table", "No cohort to compare.");
    return;
  }
  const figures = Object.keys(cohorts[0]).filter((c) => c !== "cohort");
  // creator prices are per post in US dollars, so the costs per result are money too
  const col = (c) => (c.startsWith("cost_per_") ? "cost" : c);
  gridTable("cohort-table", [[""], ...cohorts.map((r) => [String(r.cohort), 1])],
    figures.map((c) => [c.replaceAll("_", " "), ...cohorts.map((r) => fmt(r[c], col(c), CREATOR_PRICES))]));
}

pages.creators = async () => {
  const form = $("brief-form");
  const niche = form.elements.niche;
  const run = async () => {
    const f = new FormData(form);
    const brief = { min_authenticity: Number(f.get("min_authenticity")), top: Number(f.get("top")) };
    // no budget typed: the API takes the influencer spend in the events, as the report and the plan do
    if (String(f.get("budget") || "").trim()) brief.budget = Number(f.get("budget"));
    // no niche typed: the API takes the creators' most common one, as the report and the plan do
    if (String(f.get("niche") || "").trim()) brief.niche = String(f.get("niche")).trim();
    if (f.get("platform")) brief.platform = f.get("platform");
    let res;
    try {
      res = await api("/api/v1/creators/discover", { json: brief });
    } catch (err) {
      if (err.status === undefined) throw err;
      // a brief the creators cannot answer (an unknown niche ...): the reason in its place
      $("brief-note").textContent = "";
      for (const id of ["cohort-table", "creator-table"]) hintIn(id, "No creators for this brief: " + why(err));
      $("cohort-notes").replaceChildren();
      return;
    }
    niche.value = res.brief.niche;
    // whole dollars: the field steps by 1, so a fractional spend would block the next submit
    form.elements.budget.value = Math.round(res.brief.budget);
    const said = [];
    if (res.brief.niche_from === "data") {
      said.push(`Niche ${res.brief.niche}: the most common niche of the creators in the store (as in ` +
        "the report and the plan); type another, or any to rank every creator.");
    }
    if (res.brief.budget_from === "events") {
      said.push("Budget: the influencer spend in the events (as in the report and the plan).");
    } else if (res.brief.budget_from === "default") {
      said.push("Budget: US$5,000, a default (the events record no influencer spend); type yours.");
    }
    said.push("Creator prices are estimated in US dollars.");
    $("brief-note").textContent = said.join(" ");
    // the rate ranked on is the shrunk one (a rate on few posts is pulled towards its tier's)
    table("creator-table", res.picked.map((r) => ({ ...r, ...CREATOR_PRICES })), ["creator_id", "tier", "platform", "followers",
      "n_posts_used", "engagement_rate", "engagement_rate_shrunk", "authenticity", "fit", "est_cost_per_post",
      "value_per_dollar", "reasons"],
    { empty: (res.notes || []).length ? res.notes[0][0].toUpperCase() + res.notes[0].slice(1) + "."
      : "No creator fits this brief; relax the filters.", detail: "reasons",
      labels: { creator_id: "creator", n_posts_used: "posts", engagement_rate: "median eng.",
        engagement_rate_shrunk: "shrunk eng.", authenticity: "authentic", est_cost_per_post: "cost / post",
        value_per_dollar: "value / $" } });
    cohortTable(res.cohorts);
    // why the cohorts (or the pick) are what they are, as the CLI says it
    $("cohort-notes").replaceChildren(...(res.notes || []).map((n) => el("li", { text: n })));
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); run().catch(showError); });
  let all;
  try {
    all = await api("/api/v1/creators?top=1000");
  } catch (err) {
    if (err.status === undefined) throw err;
    for (const id of ["cohort-table", "creator-chart", "creator-table"]) hintIn(id, "No creators: " + why(err));
    return;
  }
  const drawn = all.rows.filter((r) => r.followers > 0 && typeof r.engagement_rate === "number");
  if (!drawn.length) {
    hintIn("creator-chart", "No creator has both a follower count and an engagement rate to draw: " +
      "ingest their posts, or profiles with likes and comments.");
  } else await chart("creator-chart", {
    data: { values: drawn }, mark: { type: "point", opacity: 0.6 },
    encoding: { x: { field: "followers", type: "quantitative", scale: { type: "log" } },
      y: { field: "engagement_rate", type: "quantitative", title: "engagement rate" },
      color: { field: "tier", type: "nominal", scale: { domain: TIERS } },
      tooltip: [{ field: "creator_id", type: "nominal" }, { field: "tier", type: "nominal" },
        { field: "followers", type: "quantitative", format: "," }] },
  });
  await run();
};

// the amounts the API takes from the store when left out: the form pre-fills what the store
// implies and sends a field only when the user changed it (so the answer says "given")
const AUDIENCE_AMOUNTS = ["value_per_conversion", "budget", "cost_per_contact"];

function audienceAmount(name) {
  const input = $("audience-form").elements[name];
  const raw = input.value.trim();
  if (raw === "" || (input.dataset.implied !== undefined && Number(raw) === Number(input.dataset.implied))) {
    return null;
  }
  return Number(raw);
}

function audienceBody() {
  const f = new FormData($("audience-form"));
  const body = {
    policy: f.get("policy"), platform: f.get("platform"),
    special_ad_category: f.get("special_ad_category") || null,
    features: String(f.get("features") || "").split(",").map((s) => s.trim()).filter(Boolean),
  };
  for (const name of AUDIENCE_AMOUNTS) body[name] = audienceAmount(name);
  return body;
}

// where each amount comes from (given, or what the store implies), or why the store cannot say
function audienceNotes(notes) {
  $("inputs-notes").replaceChildren(...AUDIENCE_AMOUNTS.filter((k) => notes && notes[k])
    .map((k) => el("li", { "data-field": k, text: notes[k] })));
}

// pre-fill the amounts with what the store implies; an amount it cannot say stays empty
async function audiencePrefill() {
  let res;
  try {
    res = await api("/api/v1/audience/inputs");
  } catch (err) {
    if (err.status === undefined) throw err;
    return;  // no audience rows yet: the verdict says why
  }
  const form = $("audience-form");
  for (const name of AUDIENCE_AMOUNTS) {
    const input = form.elements[name];
    if (res[name] === null || res[name] === undefined) continue;
    input.value = String(res[name]);
    input.dataset.implied = String(res[name]);
  }
  audienceNotes(res.input_notes);
}

function renderChecks(checks, target = "checks") {
  $(target).replaceChildren(...checks.map((c) => el("li", { class: "check " + c.status },
    el("span", { class: "pill " + c.status, text: c.status.toUpperCase() }),
    el("b", { text: c.name }), " ", c.message,
    c.recommendation ? el("small", { text: " → " + c.recommendation }) : "")));
}

// what an audience is worth: first its lift observed on the chosen people who were in the
// experiment (with its 95% interval and how many people it rests on), then the model's
// prediction, labelled as one (the two sentences). Conversions, or money for an amount outcome.
function audienceLift(s) {
  // (a conversions outcome also carries expected_incremental_value: its conversions times their value)
  const money = s.expected_incremental_conversions === undefined &&
    s.observed_incremental_conversions === undefined;
  const key = money ? "incremental_value" : "incremental_conversions";
  const what = money ? "incremental value" : "incremental conversions";
  const f = (x) => (money ? fmt(x, "revenue") : fmt(x));
  const seen = s["observed_" + key];
  const on = s.observed_people !== undefined && s.observed_people !== null
    ? `, measured on the ${fmt(s.observed_people)} chosen people who were in the experiment` : "";
  const observed = seen === null || seen === undefined || !isFinite(seen)
    ? `Observed ${what}: not measurable (the chosen people in the experiment include no treated ` +
      "or no control person; see the observed_lift check)."
    : `Observed ${what} ${f(seen)} (95% ${f(s["observed_" + key + "_low"])} to ` +
      `${f(s["observed_" + key + "_high"])})${on}.`;
  return [observed, `Predicted by the model: ${f(s["expected_" + key])}.`];
}

pages.audience = async () => {
  const exportBtn = $("export-btn");
  if (!can("analyst")) {
    $("verdict").textContent = "Building audiences needs an analyst or admin key.";
    $("check-btn").disabled = true;
    return;
  }
  const check = async () => {
    exportBtn.disabled = true;
    const v = $("verdict");
    v.className = "";
    v.textContent = "checking…";
    let res;
    try {
      res = await api("/api/v1/audience/check", { json: audienceBody() });
    } catch (err) {
      if (err.status === undefined) throw err;
      // the store cannot answer (no audience rows yet) or the form is refused: why, in its place
      v.className = "refused";
      v.textContent = "Not checked: " + why(err);
      $("checks").replaceChildren();
      return;
    }
    renderChecks(res.checks);
    if (res.input_notes) audienceNotes(res.input_notes);
    v.className = res.exportable ? "ok" : "refused";
    if (res.exportable) {
      const s = res.summary;
      const [observed, predicted] = audienceLift(s);
      v.replaceChildren(`Exportable: ${fmt(s.contacts)} contacts, cost ${fmt(s.cost, "cost")}.`,
        el("br"), el("span", { id: "observed", text: observed }), " ",
        el("span", { id: "predicted", class: "prediction", text: predicted }));
      exportBtn.disabled = false;
    } else {
      v.textContent = "Refused: " + res.message;
    }
  };
  $("audience-form").addEventListener("submit", (e) => { e.preventDefault(); check().catch(showError); });
  $("audience-form").addEventListener("change", () => { exportBtn.disabled = true; });
  exportBtn.addEventListener("click", async () => {
    try {
      const res = await api("/api/v1/audience/export", { json: audienceBody() });
      $("export-out").replaceChildren(el("p", { class: "ok",
        text: `Exported ${res.user_ids.length.toLocaleString()} people (${res.fingerprint}); recorded in the audit log.` }));
    } catch (err) { showError(err); }
  });
  await audiencePrefill();
  await check();
};

// an amount to the cent (what the planner shows and sends)
function cents(v) { return Math.round(v * 100) / 100; }

// a slider step for a budget: about a thousandth of it, a round 1, 2 or 5 x 10^k (at least 0.01)
function sliderStep(total) {
  const raw = Math.max(total / 1000, 0.01);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = [1, 2, 5, 10].find((k) => k * p >= raw);
  return cents(m * p) || 0.01;
}

// no mix model to show: the reason in place of the model and of the planner built on it
function noMix(text) {
  $("mmm-state").textContent = text;
  $("mmm-state").className = "hint";
  hintIn("sliders", "No budget planner without a mix model.");
  for (const id of ["contrib-chart", "scenario-chart"]) $(id).hidden = true;
  $("optimize-btn").disabled = true;
}

pages.mix = async () => {
  let info;
  try {
    info = await api("/api/v1/mmm");
    if (!info.fitted) {
      if (!can("analyst")) {
        noMix("The mix model has not been fitted yet; an analyst key fits it.");
        return;
      }
      $("mmm-state").textContent = "fitting the mix model…";
      info = await api("/api/v1/mmm/fit", { method: "POST" });
    }
  } catch (err) {
    if (err.status === undefined) throw err;
    noMix("No mix model: " + why(err));
    return;
  }
  const cal = info.calibrated_with.length
    ? `calibrated with the holdouts of ${info.calibrated_with.join(", ")}` : "not calibrated (no holdouts)";
  $("mmm-state").textContent = `Daily mix model over strategies, ${cal}; planning horizon ${info.horizon} days.`;
  renderChecks(info.diagnostics, "mmm-checks");
  $("mmm-diagnostics").hidden = !info.diagnostics.length;
  const summ = info.summary;
  await chart("contrib-chart", {
    data: { values: summ }, height: 40 + 34 * summ.length,
    layer: [
      { mark: "bar", encoding: { y: { field: "strategy", type: "nominal", title: null, sort: "-x" },
        color: { field: "kind", type: "nominal" },
        x: { field: "contribution", type: "quantitative", title: "incremental revenue" },
        tooltip: [{ field: "strategy", type: "nominal" }, { field: "kind", type: "nominal" },
          { field: "contribution", type: "quantitative", format: ",.0f" },
          { field: "roas", type: "quantitative", format: ".2f" }] } },
      { mark: { type: "rule", color: "#333" }, encoding: { y: { field: "strategy", type: "nominal", sort: "-x" },
        x: { field: "contribution_lo", type: "quantitative" }, x2: { field: "contribution_hi" } } },
    ],
  });
  table("mmm-table", summ, ["strategy", "kind", "spend", "contribution", "contribution_lo",
    "contribution_hi", "share_of_outcome", "roas", "marginal_roas"]);
  const box = $("sliders");
  // each channel's amount is exact to the cent: the number box shows it and is what is sent;
  // the slider moves it in steps sized to the budget, the box takes any typed amount
  const amounts = {};
  const boxes = {};
  const total = Object.values(info.current_spend).reduce((a, v) => a + v, 0);
  const step = sliderStep(total);
  const setAmount = (ch, v, from) => {
    amounts[ch] = cents(v);
    if (from !== boxes[ch].box) boxes[ch].box.value = amounts[ch].toFixed(2);
    if (from !== boxes[ch].range) {
      if (amounts[ch] > Number(boxes[ch].range.max)) boxes[ch].range.max = String(Math.ceil(amounts[ch]));
      boxes[ch].range.value = String(amounts[ch]);
    }
  };
  for (const ch of info.channels) {
    const cur = info.current_spend[ch];
    const range = el("input", { type: "range", min: "0", max: String(Math.ceil(cur * 3 + step)),
      step: String(step), "aria-label": ch });
    const num = el("input", { type: "number", min: "0", step: "0.01", class: "amount",
      "aria-label": ch + " amount" });
    boxes[ch] = { range, box: num };
    setAmount(ch, cur);
    range.addEventListener("input", () => { setAmount(ch, Number(range.value), range); schedule(); });
    num.addEventListener("input", () => {
      const v = Number(num.value);
      if (num.value === "" || !isFinite(v) || v < 0) return;
      setAmount(ch, v, num);
      schedule();
    });
    box.append(el("label", { class: "slider" }, el("span", { text: ch.replace("spend_", "") }), range,
      el("span", { class: "amount" }, state.symbol ? state.symbol + (state.symbol.length > 1 ? " " : "") : "", num)));
  }
  let timer = null;
  const evaluate = async () => {
    const spend = { ...amounts };
    const res = await api("/api/v1/mmm/scenario", { json: { spend } });
    await chart("scenario-chart", {
      data: { values: res.rows }, height: 120,
      layer: [
        { mark: "bar", encoding: { y: { field: "scenario", type: "nominal", title: null },
          x: { field: "outcome", type: "quantitative", title: "expected revenue over the horizon" },
          tooltip: [{ field: "scenario", type: "nominal" },
            { field: "outcome", type: "quantitative", format: ",.0f" },
            { field: "spend", type: "quantitative", format: ",.2f" }] } },
        { mark: { type: "rule", color: "#333" }, encoding: { y: { field: "scenario", type: "nominal" },
          x: { field: "outcome_lo", type: "quantitative" }, x2: { field: "outcome_hi" } } },
      ],
    });
    // spend to the cent: the planned total is the sum of the amounts above, as sent
    table("scenario-table", res.rows.map((r) => ({ ...r, spend: money(r.spend, 2) })),
      ["scenario", "spend", "outcome", "outcome_lo", "outcome_hi", "roas"]);
  };
  function schedule() { clearTimeout(timer); timer = setTimeout(() => evaluate().catch(showError), 250); }
  const opt = $("optimize-btn");
  if (!can("analyst")) opt.disabled = true;
  opt.addEventListener("click", async () => {
    try {
      const budget = cents(Object.values(amounts).reduce((a, v) => a + v, 0));
      const res = await api("/api/v1/optimize", { json: { budget } });
      for (const [ch, v] of Object.entries(res.recommended.allocation || {})) {
        if (boxes[ch]) setAmount(ch, v);
      }
      schedule();
    } catch (err) { showError(err); }
  });
  await evaluate();
};

pages.login = async () => {
  const form = $("login-form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("api-key").value.trim());
    const next = new URLSearchParams(location.search).get("next");
    location.href = next && next.startsWith("/ui/") ? next : "/ui/overview";
  });
};

// ------------------------------------------------------------------ start
async function main() {
  if (page === "login") return pages.login();
  if (page === "docs") return;
  if (!apiKey()) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname);
    return;
  }
  document.body.classList.add("loading");
  try {
    await header();
    if (pages[page]) await pages[page]();
    document.body.dataset.ready = "1";
  } catch (err) {
    showError(err);
    document.body.dataset.ready = "error";
  } finally {
    document.body.classList.remove("loading");
  }
}

main();
